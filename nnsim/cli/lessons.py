"""``nnsim list``, ``nnsim run``, ``nnsim check`` and ``nnsim open``: lessons from the command line.

Exit status of ``run`` and ``check``: 0 when every expectation holds, 1 when
one fails (the output says which and by how much), 2 when a file is invalid,
and for ``check`` 3 when every file is valid and none failed but some lesson
could not run for lack of data (MNIST not downloaded). Worst first: 2, 1, 3, 0.
``nnsim run`` prints each step as the app's panels write it (the one text module,
:mod:`nnsim.lessons.text`). The lesson machinery is imported inside the handlers so that
``nnsim`` starts fast.
"""

from __future__ import annotations

import json
import math
import os
import sys
import textwrap
import time
from pathlib import Path

from nnsim.cli.args import whole_number
from nnsim.sanitize import json_line, sanitize


def say(*parts, **options) -> None:
    """``print`` for text that holds lesson-file words: control characters made visible."""
    print(*(sanitize(p) for p in parts), **options)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "list", help="list the bundled lessons, by the chapter's sections",
        description="List the lessons shipped with nnsim, grouped by the chapter's sections.")
    p.add_argument("--json", action="store_true", help="one JSON object per lesson")
    p.set_defaults(func=_quiet_pipe(list_command))

    p = subparsers.add_parser(
        "run", help="play a lesson headless and check its expectations",
        description="Play a lesson without the app: print each step's narration and numbers as the app "
                    "shows them, then check the lesson's expectations. Exit 0 when all hold, 1 when one "
                    "fails, 2 when the file is invalid, 3 when the data it needs is missing.")
    p.add_argument("lesson", metavar="FILE|NAME", help="a scenario file, or a bundled lesson's name (see nnsim list)")
    p.add_argument("--json", action="store_true", help="print JSON lines instead of text")
    p.add_argument("--quick", action="store_true", help="for training lessons, run the smaller [quick] variant")
    p.add_argument("--data-dir", metavar="DIR", help="where datasets are cached or stored")
    p.set_defaults(func=_quiet_pipe(run_command))

    p = subparsers.add_parser(
        "check", help="validate lesson files and check their expectations",
        description="Validate scenario files and check their expectations (all bundled lessons when no "
                    "path is given). Exit 0 when all hold, 1 when one fails, 2 when a file is invalid, "
                    "3 when a lesson could not run for lack of data (e.g. MNIST not downloaded).")
    p.add_argument("paths", nargs="*", metavar="PATH|NAME",
                   help="scenario files, folders of them, or bundled lessons' names (see nnsim list)")
    p.add_argument("--quick", action="store_true",
                   help="train lessons use their [quick] variant (what CI runs)")
    p.add_argument("--data-dir", metavar="DIR", help="where datasets are cached or stored")
    p.set_defaults(func=_quiet_pipe(check_command))

    p = subparsers.add_parser(
        "open", help="open a lesson in the terminal app",
        description="Open a lesson (a scenario file or a bundled lesson's name) in the terminal app.")
    p.add_argument("lesson", metavar="FILE|NAME", help="a scenario file, or a bundled lesson's name")
    p.add_argument("--step", type=whole_number(1, what="a step number"), metavar="N",
                   help="start at step N (counted from 1, as the app's step counter shows)")
    p.add_argument("--present", action="store_true",
                   help="start in presenter mode, for a projector (p in the app switches it)")
    p.add_argument("--network", metavar="FILE",
                   help="backprop and train lessons: start from this saved network's weights (a .npz "
                        "from nnsim train --save or the training screen's w)")
    p.set_defaults(func=open_command)


def _quiet_pipe(handler):
    """``nnsim run nand --json | head`` closes the pipe early: stop quietly, not with a traceback."""
    def run(args) -> int:
        try:
            return handler(args)
        except BrokenPipeError:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail too
            return 1
    return run


# -- nnsim list ------------------------------------------------------------------------

def list_command(args) -> int:
    from nnsim.lessons.scenario import bundled_scenarios

    scenarios = bundled_scenarios()
    if args.json:
        for s in scenarios:
            print(json_line(json.dumps({"name": s.name, "title": s.title, "kind": s.kind, "section": s.section,
                                        "description": s.description, "path": str(s.path)}, ensure_ascii=False)))
        return 0
    width = max((len(s.name) for s in scenarios), default=0)
    section = None
    for s in scenarios:
        if s.section != section:
            say(("\n" if section else "") + s.section)
            section = s.section
        say(f"  {s.name:<{width}}  {s.title}  [{s.kind}]")
    return 0


# -- nnsim run -------------------------------------------------------------------------

def run_command(args) -> int:
    from nnsim.errors import DataMissing

    try:
        return _run(args)
    except DataMissing as error:
        # The file is fine; the data is not here: exit 3, as nnsim check does.
        sys.stdout.flush()
        sys.stderr.write(f"nnsim: error: {sanitize(error, single_line=True)}\n")
        return 3


def _run(args) -> int:
    from nnsim.lessons.expect import check_expectations
    from nnsim.lessons.kinds.train import plan_training, train_steps
    from nnsim.lessons.kinds import build_steps
    from nnsim.lessons.scenario import load_scenario

    scenario = load_scenario(args.lesson).variant(args.quick)
    emit = _JsonOut() if args.json else _TextOut(scenario)
    # Data problems stop the lesson before anything is printed.
    if scenario.kind == "train":
        plan = plan_training(scenario, data_dir=args.data_dir)
        emit.start(scenario)
        steps = []
        for step in train_steps(scenario, plan=plan):
            steps.append(step)
            emit.step(step, None)
    else:
        steps = build_steps(scenario, data_dir=args.data_dir)
        emit.start(scenario)
        for step in steps:
            emit.step(step, len(steps))
    results = check_expectations(scenario, steps=steps, data_dir=args.data_dir)
    emit.results(results)
    return 0 if all(r.passed for r in results) else 1


class _TextOut:
    def __init__(self, scenario):
        self.scenario = scenario

    def start(self, scenario) -> None:
        variant = " (quick variant)" if scenario.is_quick else ""
        say(f"{scenario.title}{variant}  [{scenario.kind}, {scenario.label}]")
        if scenario.kind == "train":
            t = scenario.train
            say(f"  sizes {list(scenario.network.sizes)}, {t.epochs} epochs, mini-batch {t.mini_batch_size}, "
                  f"eta {t.eta:g}, dataset {t.dataset}, {t.outputs} outputs")
        say()

    def step(self, step, total) -> None:
        if step.kind in ("epoch", "diverged"):
            extra = f"  ({step.values['seconds']:.2f} s)" if "seconds" in step.values else ""
            say(step.narration + extra, flush=True)
            return
        say(f"[{step.index + 1}/{total}] {step.title}")
        say(textwrap.fill(" ".join(step.narration.split()), 100, initial_indent="    ",
                            subsequent_indent="    "))
        for line in step_lines(step):
            say("    " + line if line else "")

    def results(self, results) -> None:
        say()
        if not results:
            say("no expectations")
            return
        say("expectations:")
        for r in results:
            say(f"  {'ok  ' if r.passed else 'FAIL'}  {r.description}: {r.detail}")
        failed = sum(not r.passed for r in results)
        say(f"{len(results) - failed} of {len(results)} expectations hold"
              + (f"; {failed} failed" if failed else ""))


class _JsonOut:
    def start(self, scenario) -> None:
        self._write({"type": "lesson", "name": scenario.name, "title": scenario.title, "kind": scenario.kind,
                     "section": scenario.section, "quick": scenario.is_quick})

    def step(self, step, total) -> None:
        self._write(dict({"type": "step"}, **step.to_json()))

    def results(self, results) -> None:
        for r in results:
            self._write({"type": "expect", "description": r.description, "passed": r.passed, "detail": r.detail})
        failed = sum(not r.passed for r in results)
        self._write({"type": "result", "passed": failed == 0, "expectations": len(results), "failed": failed})

    @staticmethod
    def _write(obj) -> None:
        print(json_line(json.dumps(_strict(obj), ensure_ascii=False, allow_nan=False)), flush=True)


def _strict(obj):
    """Strict JSON has no NaN or infinity: they are written as null (a diverged run has them)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _strict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_strict(v) for v in obj]
    return obj


def step_lines(step) -> list[str]:
    """A step's numbers as the app's panels write them: a backprop step's equation for
    neuron 0 (the debugger's first selection) and its arrays, each formatted as a whole;
    any other step's values, one number rule (:func:`nnsim.lessons.text.number`)."""
    import numpy as np

    from nnsim.core.trace import TraceStep
    from nnsim.lessons.text import matrix_lines, number
    from nnsim.lessons.trace_view import PANEL_ARRAYS, array_label, step_equation

    if not isinstance(step.data, TraceStep):
        lines: list[str] = []
        for pair in (f"{k} = {number(v)}" for k, v in step.values.items()):  # a pair is never split
            if lines and len(lines[-1]) + 2 + len(pair) <= 96:
                lines[-1] += "  " + pair
            else:
                lines.append(pair)
        return lines
    ts = step.data
    trace = step.context
    eq = step_equation(ts, eta=getattr(trace, "eta", None))
    lines = [f"{eq.title}: {eq.formula}", *("  " + line for line in eq.filled())]
    for name in PANEL_ARRAYS[ts.phase]:
        array = np.asarray(ts.arrays[name], dtype=np.float64)
        shaped = array.reshape(-1, 1) if array.ndim < 2 else array
        head = f"{array_label(name, ts.layer)}  ({shaped.shape[0]}×{shaped.shape[1]})"
        if shaped.shape[0] > ARRAY_ROWS or shaped.shape[1] > ARRAY_COLUMNS:
            finite = shaped[np.isfinite(shaped)]
            stats = ("min {}, max {}, mean {}".format(*(number(f(finite)) for f in (np.min, np.max, np.mean)))
                     if finite.size else "no finite values")
            lines.append(f"{head}  {stats} (--json has every value)")
        else:
            lines.append(head)
            lines.extend("  " + row for row in matrix_lines(shaped))
    return lines


# The app prints arrays up to this size in full (the backprop debugger's number tables).
ARRAY_ROWS, ARRAY_COLUMNS = 32, 6


# -- nnsim check -----------------------------------------------------------------------

def check_command(args) -> int:
    from nnsim.errors import DataMissing, NnsimError
    from nnsim.lessons.expect import check_expectations
    from nnsim.lessons.scenario import bundled_dir, load_scenario

    files = _scenario_files(args.paths or [str(bundled_dir())])
    invalid = failed = missing = 0
    absent: dict[str, DataMissing] = {}  # datasets found missing: not looked for (downloaded) twice
    started = time.perf_counter()
    for path in files:
        t0 = time.perf_counter()
        scenario = None
        try:
            scenario = load_scenario(path)
            known = absent.get(_dataset_of(scenario.variant(args.quick)))
            if known is not None:
                raise known
            if scenario.solution is not None:  # an exercise: its grader is checked both ways round
                from nnsim.lessons.exercise import check_exercise

                results = check_exercise(scenario, quick=args.quick, data_dir=args.data_dir)
            else:
                results = check_expectations(scenario, quick=args.quick, data_dir=args.data_dir)
        except DataMissing as error:
            # Not the file's fault: one short line saying what it needs, and go on.
            missing += 1
            absent[error.name] = error
            label = scenario.label if scenario is not None else str(path)
            say(f"skip  {label}  {_needs(error, scenario and scenario.variant(args.quick))}", flush=True)
            continue
        except NnsimError as error:
            invalid += 1
            sys.stdout.flush()
            sys.stderr.write(f"nnsim: error: {sanitize(error, single_line=True)}\n")
            sys.stderr.flush()
            continue
        seconds = time.perf_counter() - t0
        bad = [r for r in results if not r.passed]
        variant = ", quick" if scenario.is_quick else ""
        if bad:
            failed += 1
            say(f"FAIL  {scenario.label}  {len(bad)} of {len(results)} expectations failed{variant}  "
                  f"({seconds:.2f} s)")
            for r in bad:
                say(f"        {r.description}: {r.detail}")
        else:
            say(f"ok    {scenario.label}  {len(results)} expectation{'s' if len(results) != 1 else ''}"
                  f"{variant}  ({seconds:.2f} s)", flush=True)
    total = time.perf_counter() - started
    ok = len(files) - failed - invalid - missing
    skipped = f", {missing} need data" if missing else ""
    say(f"{len(files)} lesson{'s' if len(files) != 1 else ''}: {ok} ok, {failed} failed, {invalid} invalid"
          f"{skipped}  ({total:.1f} s)")
    return 2 if invalid else 1 if failed else 3 if missing else 0


def _dataset_of(scenario) -> str:
    """The dataset a lesson reads ("" for none, or the bundled sample)."""
    spec = scenario.train if scenario.kind == "train" else scenario.backprop if scenario.kind == "backprop" else None
    name = getattr(spec, "dataset", None) or ""
    return "" if name == "sample" else name


def _needs(error, scenario) -> str:
    """"needs MNIST (run `nnsim data download`, or `--quick`)": what to do, in one short line."""
    name = getattr(error, "name", "") or "mnist"
    download = "nnsim data download" + ("" if name == "mnist" else f" --dataset {name}")
    quick = ", or `--quick`" if scenario is not None and scenario.quick is not None and not scenario.is_quick \
        else ""
    return f"needs {error.dataset or name} (run `{download}`{quick})"


def _scenario_files(paths: list[str]) -> list[Path]:
    """Files, folders of them (every ``*.toml``), or bundled lessons' names, as ``run`` takes them."""
    from nnsim.errors import NnsimError
    from nnsim.lessons.scenario.library import resolve_path

    files: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found = sorted(path.glob("*.toml"))
            if not found:
                raise NnsimError(f"{text}: no .toml scenario files in this folder")
            files.extend(found)
        else:
            files.append(resolve_path(text))  # a file, or a bundled lesson's name
    return files


# -- nnsim open ------------------------------------------------------------------------

def open_command(args) -> int:
    from nnsim.lessons.scenario import load_scenario

    scenario = load_scenario(args.lesson)  # an invalid file stops here, before the app starts
    if getattr(args, "network", None):
        from nnsim.lessons.networks import load_into

        scenario = load_into(scenario, args.network)  # a refused file stops here too
    from nnsim.tui.app import run

    lesson = scenario if getattr(args, "network", None) else str(scenario.path)
    return int(run(lesson=lesson, step=args.step, present=args.present) or 0)
