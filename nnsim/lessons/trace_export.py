"""Export backprop passes: JSON lines for programs, a Markdown handout for people.

The JSON lines file is each pass's :meth:`Trace.to_jsonl` one after the other
(a header line ``{"trace": …}`` then its steps), so one pass reads back with the
core's :meth:`Trace.from_jsonl` and several with :func:`read_traces`. The
handout lists every step: its equation, the arithmetic for each neuron (all of
them in a small layer, the selected one in a big one) and its arrays (tables
when small, a summary when large). Both files are written to a temporary file
first and moved into place, so an interrupted export leaves nothing half-written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from nnsim.core.trace import Trace, TraceStep
from nnsim.errors import NnsimError
from nnsim.lessons.text import PHASE_SENTENCES, column, matrix, number
from nnsim.lessons.trace_view import PANEL_ARRAYS, Selection, array_label, step_dimensions, step_equation

# Layers up to this size get every neuron's arithmetic in the handout; arrays up to
# these sizes are printed as tables.
HANDOUT_NEURONS = 10
TABLE_ROWS = 12
TABLE_COLUMNS = 10


@dataclass(frozen=True)
class ExportPaths:
    """Where an export went."""

    jsonl: Path
    markdown: Path


def export_paths(directory, stem: str) -> ExportPaths:
    """``<directory>/<stem>-trace.jsonl`` and ``<directory>/<stem>-handout.md``."""
    folder = Path(directory)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.") or "backprop"
    return ExportPaths(folder / f"{safe}-trace.jsonl", folder / f"{safe}-handout.md")


def traces_jsonl(traces: Sequence[Trace]) -> str:
    return "".join(trace.to_jsonl() for trace in traces)


def read_traces(text: str) -> list[Trace]:
    """Every pass in a JSON lines export (ValueError if it is not one)."""
    chunks: list[list[str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith('{"trace":'):
            chunks.append([])
        if not chunks:
            raise ValueError("not an nnsim trace: the first line is not a trace header")
        chunks[-1].append(line)
    if not chunks:
        raise ValueError("not an nnsim trace: the file is empty")
    return [Trace.from_jsonl("\n".join(chunk)) for chunk in chunks]


def export(traces: Sequence[Trace], directory, stem: str, title: str, description: str = "",
           selection: Selection = Selection()) -> ExportPaths:
    """Write the passes as JSON lines and as a Markdown handout; returns the two paths.

    Raises NnsimError (one line) when the folder cannot be written.
    """
    paths = export_paths(directory, stem)
    try:
        paths.jsonl.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(paths.jsonl, traces_jsonl(traces))
        write_atomic(paths.markdown, handout(traces, title, description, selection))
    except OSError as error:
        where = error.filename or paths.jsonl.parent
        raise NnsimError(f"cannot export to {where}: {error.strerror or error}") from None
    return paths


def write_atomic(path: Path, text: str) -> None:
    tmp = Path(f"{os.fspath(path)}.part")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


# -- the handout --------------------------------------------------------------------

def handout(traces: Sequence[Trace], title: str, description: str = "",
            selection: Selection = Selection()) -> str:
    """The passes as a Markdown handout: every step, its equation, its numbers."""
    out = [f"# {title}", ""]
    if description.strip():
        out += [" ".join(description.split()), ""]
    first = traces[0]
    eta = "none (the pass stops at the gradient)" if first.eta is None else number(first.eta)
    out += [f"Network sizes {list(first.sizes)}, mini-batch of m = {first.m}, learning rate η = {eta}, "
            f"{len(traces)} pass{'es' if len(traces) != 1 else ''}. Columns of a matrix are the "
            "examples of the mini-batch; layers are numbered as in the book (layer 1 is the input).", ""]
    number_of_step = 0
    for p, trace in enumerate(traces, 1):
        out += [f"## Pass {p}", ""]
        for step in trace:
            number_of_step += 1
            out += _step_section(step, number_of_step, trace.eta, selection)
    return "\n".join(out).rstrip() + "\n"


def _step_section(step: TraceStep, n: int, eta: Optional[float], selection: Selection) -> list[str]:
    out = [f"### Step {n}: {step.title}", "", PHASE_SENTENCES[step.phase], "",
           f"Equation: `{step.equation}`", ""]
    neurons, sources, m = step_dimensions(step)
    if step.phase == "cost":
        js = [0]
    else:
        js = range(neurons) if neurons <= HANDOUT_NEURONS else [selection.clamp(step).neuron]
    if step.phase in ("gradient", "update"):
        ks = range(sources) if sources <= HANDOUT_NEURONS else [selection.clamp(step).source]
    else:
        ks = [0]
    es = range(m) if step.phase in ("input", "forward", "cost", "output_error", "backward") and m > 1 else [0]
    blocks, seen = [], set()
    for e in es:
        for j in js:
            for k in ks:
                eq = step_equation(step, Selection(j, k, e), eta)
                # Each weight's block repeats its neuron's bias line (and the input step the
                # target): print a line once per step.
                lines = [line for line in eq.filled() if line not in seen]
                seen.update(lines)
                if lines:
                    blocks.append(f"{eq.title}:\n" + "\n".join(lines))
    out += ["```text", "\n\n".join(blocks), "```", ""]
    for name in PANEL_ARRAYS[step.phase]:
        out += _array_section(array_label(name, step.layer), step.arrays[name])
    return out


def _array_section(label: str, array) -> list[str]:
    a = np.asarray(array, dtype=np.float64)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    rows, cols = a.shape
    head = f"**{label}** ({rows}×{cols})"
    # Written as a whole, as the debugger's panel writes it: one format for every entry.
    if cols == 1 and rows <= TABLE_ROWS:
        return [f"{head} = ({', '.join(t.strip() for t in column(a[:, 0]))})ᵀ", ""]
    if rows <= TABLE_ROWS and cols <= TABLE_COLUMNS:
        # Row and column numbers as the book indexes them: j (this layer), k or the example.
        table = ["| | " + " | ".join(str(c) for c in range(cols)) + " |", "|" + "---:|" * (cols + 1)]
        for r, cells in enumerate(matrix(a)):
            table.append("| " + " | ".join([str(r)] + cells) + " |")
        return [head, "", *table, ""]
    finite = a[np.isfinite(a)]
    if finite.size:
        stats = (f"min {number(finite.min())}, max {number(finite.max())}, mean {number(finite.mean())}, "
                 f"norm {number(float(np.linalg.norm(finite)))}")
    else:
        stats = "no finite values"
    bad = a.size - finite.size
    if bad:
        stats += f"; {bad} NaN or infinite"
    return [f"{head}: {stats} (every value is in the JSON lines file)", ""]
