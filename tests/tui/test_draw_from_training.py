"""The training screen's ways to the canvas: g draws with the network just trained, l loads a
saved network to train on from, w remembers where it saved for ``nnsim draw``."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import Input

from nnsim.core.network import Network
from nnsim.lessons.kinds.train import train_scenario
from nnsim.lessons.networks import find_network, last_saved
from nnsim.tui.screens.draw.files import LoadNetworkDialog
from nnsim.tui.screens.draw.screen import DrawScreen
from nnsim.tui.screens.train.screen import TrainingApp

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSIM_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)


async def settle(pilot) -> None:
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_g_draws_with_the_network_just_trained_and_w_is_remembered(tmp_path):
    app = TrainingApp(train_scenario(dataset="sample", epochs=1, seed=0), cursor_blink=False,
                      save_path=tmp_path / "model.npz")
    async with app.run_test(size=SIZE) as pilot:
        train = app.screen
        await pilot.press("g")
        assert "train first" in train.status
        await pilot.press("c")
        await settle(pilot)
        assert last_saved() == (tmp_path / "model.npz").resolve()  # saved at the end (--save), remembered
        assert find_network().source.startswith("just trained")  # what home's "Draw a digit" would use
        await pilot.press("g")
        await pilot.pause()
        draw = app.screen
        assert isinstance(draw, DrawScreen) and "1 epoch on sample" in draw.source
        np.testing.assert_array_equal(draw.network.weights[0], train.session.network.weights[0])
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is train


async def test_l_loads_a_saved_network_and_refuses_one_that_does_not_fit(tmp_path):
    good = Network([784, 20, 10], seed=3)
    good.save(tmp_path / "good.npz")
    Network([784, 20, 4], seed=3).save(tmp_path / "four.npz")
    app = TrainingApp(train_scenario(dataset="sample", epochs=1, seed=0), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        train = app.screen
        await pilot.press("l")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, LoadNetworkDialog)
        field = dialog.query_one("#load-path", Input)
        field.value = str(tmp_path / "four.npz")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        assert "do not fit" in str(dialog.query_one("#load-error").render())
        field.value = str(tmp_path / "good.npz")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is train
        assert train.session is not None and train.session.network.sizes == [784, 20, 10]
        np.testing.assert_allclose(train.session.network.weights[0], good.weights[0], rtol=1e-6)
        assert train.query_one("#set-sizes", Input).value == "784,20,10"
