"""Helpers for the lesson tests: write a scenario file from TOML text."""

import textwrap

import pytest


@pytest.fixture
def write(tmp_path):
    """write("name", toml_text) -> the path of a new scenario file in tmp_path."""
    def write(name: str, text: str, raw: bytes = None):
        path = tmp_path / f"{name}.toml"
        if raw is not None:
            path.write_bytes(raw)
        else:
            path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path
    return write


PERCEPTRON = """
title = "t"
description = "d"
kind = "perceptron"
[perceptron]
weights = [-2, -2]
bias = 3
"""

BACKPROP = """
title = "t"
description = "d"
kind = "backprop"
[network]
sizes = [2, 3, 2]
seed = 1
[backprop]
x = [0.5, 0.9]
y = [1, 0]
eta = 3.0
"""
