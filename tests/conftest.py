"""Shared test settings: hypothesis profiles.

``ci`` extends hypothesis's built-in CI profile (derandomized, no deadline) and
is chosen automatically when CI is set; ``dev`` is the quicker local default.
"""

import os

from hypothesis import settings

settings.register_profile("ci", parent=settings.get_profile("ci"), max_examples=60)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _own_config_folder(tmp_path_factory, monkeypatch):
    """Every test gets its own $XDG_CONFIG_HOME (where nnsim remembers the last saved network and
    the training screen the answer to its download dialog)
    and no network "just trained" by an earlier test in the same process."""
    from nnsim.lessons.networks import forget_trained

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    forget_trained()
    yield
    forget_trained()
