"""nnsim runs OpenBLAS on one thread unless the user chose a number (see nnsim/__init__.py)."""

import os
import subprocess
import sys

PROBE = "import nnsim, numpy, os; print(os.environ['OPENBLAS_NUM_THREADS'])"


def probe(**environment) -> str:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    env.update(environment)
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_one_blas_thread_by_default_and_the_users_choice_kept():
    assert probe() == "1"
    assert probe(OPENBLAS_NUM_THREADS="2") == "2"
