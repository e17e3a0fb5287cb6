"""Package discovery lives here, not in pyproject.toml, for one reason: the lessons.

The lesson library sits at the repository root in ``scenarios/`` (where teachers
look for it) and ships inside the wheel as the ``nnsim.scenarios`` package.
setuptools can map a package onto another folder (``package_dir``), but a
``[tool.setuptools.packages.find]`` table would override the explicit package
list that mapping needs, so the list is built here: every ``nnsim*`` package,
plus ``nnsim.scenarios``. Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["nnsim", "nnsim.*"]) + ["nnsim.scenarios"],
    package_dir={"nnsim.scenarios": "scenarios"},
)
