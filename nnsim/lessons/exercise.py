"""Exercises: a lesson the learner solves by editing it, graded by its own expectations.

An exercise names its worked solution (top-level ``solution``, another lesson).
In the app its expectations grade whatever the learner entered. ``nnsim check``
has no learner, so it checks the grader itself, both ways round: the solution's
values (every key the exercise lets the learner edit, taken from the solution's
file) must pass every expectation, and the exercise as shipped (the learner's
starting point) must fail at least one.
"""

from __future__ import annotations

from nnsim.errors import NnsimError
from nnsim.lessons.expect import ExpectResult, _load_relative, check_expectations
from nnsim.lessons.scenario import Scenario, with_changes


def solved(exercise: Scenario) -> Scenario:
    """The exercise with the worked solution's values for every key the learner may edit."""
    solution = _load_relative(exercise.solution, exercise)
    changes = {}
    for key in sorted(exercise.controls.editable):
        table, _, name = key.partition(".")
        if name in solution.raw.get(table, {}):
            changes[key] = solution.raw[table][name]
    if not changes:
        raise NnsimError(f"{exercise.label}: solution: {solution.name} sets none of the keys the learner edits")
    return with_changes(exercise, changes)


def check_exercise(exercise: Scenario, quick: bool = False, data_dir=None) -> list[ExpectResult]:
    """The solution graded by the exercise's expectations, then one result saying whether
    the starting point is graded wrong (an exercise that passes unsolved teaches nothing)."""
    results = check_expectations(solved(exercise), quick=quick, data_dir=data_dir)
    start = check_expectations(exercise, quick=quick, data_dir=data_dir)
    wrong = sum(not r.passed for r in start)
    results.append(ExpectResult(
        "the exercise as shipped (unsolved) is graded wrong", wrong > 0,
        f"{wrong} of {len(start)} expectations fail before it is solved"))
    return results
