"""The parser: a parsed TOML document checked against the schema, key by key, into a :class:`Scenario`.

Every value is checked before anything is built from it; nothing in a file is
ever executed or imported. The reference for every key is ``docs/scenarios.md``.
"""

from __future__ import annotations

import copy
import difflib
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from nnsim.core.circuit import Circuit, Gate
from nnsim.core.perceptron import Perceptron
from nnsim.errors import NnsimError
from nnsim.lessons.scenario.checks import _MISSING, _Parser, _Table, show
from nnsim.lessons.scenario.parse_descent import descent_fields
from nnsim.lessons.scenario.paths import label as _label
from nnsim.lessons.text import placeholders
from nnsim.lessons.scenario.schema import (
    _BUILTIN_CIRCUITS, _BUILTIN_GATES, _CONDITION_KINDS, _CONDITIONS, _EXPECT_KINDS, _EXPECT_TYPES, _KIND_TABLES,
    _PARAMETER_TABLES, _TABLE_KEYS, _TOP_KEYS, _WIRE, CLASSES, DATASETS, DEFAULT_SECTION, IMAGE_PIXELS, KINDS,
    LIMITS, SECTIONS, BackpropSpec, Condition, Controls, Expect, Narration, NetworkSpec, Nudge, Scenario,
    SigmoidSpec, TrainSpec,
)


def parse_scenario(raw: Mapping[str, Any], path: Union[str, Path], name: Optional[str] = None) -> Scenario:
    """Validate an already-parsed TOML document (what :func:`load_scenario` reads)."""
    path = Path(path)
    try:
        return Parser(_label(path)).scenario(raw, path, name or path.stem)
    except RecursionError:
        raise NnsimError(f"{_label(path)}: values nested too deeply") from None


class Parser(_Parser):
    """The document and each kind's tables; the value checks come from :class:`_Parser`."""

    # -- the document --

    def scenario(self, raw: Mapping[str, Any], path: Path, name: str) -> Scenario:
        top = _Table(self, raw, "", _TOP_KEYS)
        title = top.get("title", self.string(LIMITS["title_chars"], single_line=True))
        description = top.get("description", self.string(LIMITS["text_chars"]))
        kind = top.get("kind", self.choice(KINDS))
        section_id = top.get("section", self.choice(tuple(SECTIONS)), DEFAULT_SECTION[kind])
        order = top.get("order", self.integer(0, 999), 500)
        solution = top.get("solution", self.string(200, True), None)
        for table in _PARAMETER_TABLES:
            if table in raw and table not in _KIND_TABLES[kind]:
                uses = " and ".join(f"[{t}]" for t in _KIND_TABLES[kind])
                self.error(f"[{table}]", f"not used by kind \"{kind}\" (it reads {uses})")
        fields: dict[str, Any] = {}
        if kind == "perceptron":
            fields.update(self.perceptron(top))
        elif kind == "circuit":
            fields.update(self.circuit(top))
        elif kind == "sigmoid":
            fields["sigmoid"] = self.sigmoid(top)
        elif kind == "gradient-descent":
            fields.update(descent_fields(self, top))
        elif kind == "backprop":
            fields["network"] = self.network(top, default_dtype="float64")
            fields["backprop"] = self.backprop(top, fields["network"])
        else:
            fields["network"] = self.network(top, default_dtype="float32")
            fields.update(self.train(top, fields["network"]))
        narration = tuple(self.narration(t, f"[[narration]][{i}]") for i, t in
                          enumerate(self.tables("narration", raw.get("narration", []), LIMITS["list_entries"]), 1))
        breakpoints, conditions = self.breakpoints(raw.get("breakpoint", []), kind)
        controls = self.controls(raw.get("controls", {}), kind)
        expects = self.expects(raw.get("expect", []), "expect", kind, fields)
        if kind == "train" and fields.get("quick") is not None:
            fields["quick_expects"] = self.expects(raw["quick"].get("expect", []), "quick.expect", kind,
                                                   dict(fields, train=fields["quick"]))
        return Scenario(
            name=name, title=title, description=description, kind=kind, section=SECTIONS[section_id],
            section_id=section_id, path=path, order=order, solution=solution, narration=narration, breakpoints=breakpoints,
            conditions=conditions, controls=controls, expects=expects, raw=copy.deepcopy(dict(raw)), **fields)

    # -- perceptron --

    def perceptron(self, top: _Table) -> dict:
        t = _Table(self, top.get("perceptron", lambda v, w: v), "[perceptron]", _TABLE_KEYS["perceptron"])
        weights = t.get("weights", lambda v, w: self.numbers(
            w, v, max_len=LIMITS["perceptron_inputs"],
            what=f"a list of 0 to {LIMITS['perceptron_inputs']} numbers (the weights)"))
        bias = t.get("bias", self.number())
        inputs = t.get("inputs", lambda v, w: self.rows(w, v, len(weights)), None)
        return {"perceptron": Perceptron(weights, bias), "inputs": inputs}

    # -- circuit --

    def wires(self, where: str, v: Any, min_len: int, max_len: int) -> tuple[str, ...]:
        what = f"a list of {min_len} to {max_len} wire names (letters, digits, _)"
        if not isinstance(v, list) or not min_len <= len(v) <= max_len or \
                not all(isinstance(n, str) and _WIRE.match(n) for n in v):
            self.fail(where, what, v)
        return tuple(v)

    def wire_name(self, v: Any, where: str) -> str:
        if not isinstance(v, str) or not _WIRE.match(v):
            self.fail(where, "a wire name (a letter or _, then letters, digits or _; at most 24)", v)
        return v

    def circuit(self, top: _Table) -> dict:
        t = _Table(self, top.get("circuit", lambda v, w: v), "[circuit]", _TABLE_KEYS["circuit"])
        if t.has("builtin"):
            for key in ("inputs", "outputs", "gate"):
                if t.has(key):
                    self.error(t.path(key), "give either builtin or inputs/outputs/gate, not both")
            circuit = _BUILTIN_CIRCUITS[t.get("builtin", self.choice(tuple(_BUILTIN_CIRCUITS)))]()
        else:
            inputs = t.get("inputs", lambda v, w: self.wires(w, v, 1, LIMITS["circuit_inputs"]))
            outputs = t.get("outputs", lambda v, w: self.wires(w, v, 1, 8))
            gate_tables = self.tables("circuit.gate", t.get("gate", lambda v, w: v), LIMITS["circuit_gates"])
            if not gate_tables:
                self.error("[[circuit.gate]]", "a circuit needs at least one gate")
            gates = tuple(self.gate(g, f"[[circuit.gate]][{i}]") for i, g in enumerate(gate_tables, 1))
            try:
                circuit = Circuit(inputs, gates, outputs)
            except ValueError as error:
                raise NnsimError(f"{self.label}: [circuit]: {error}") from None
        rows = t.get("rows", lambda v, w: self.rows(w, v, len(circuit.inputs)), None)
        return {"circuit": circuit, "inputs": rows}

    def gate(self, data: Any, where: str) -> Gate:
        g = _Table(self, data, where, ("name", "gate", "weights", "bias", "inputs"))
        name = g.get("name", self.wire_name)
        if g.has("gate"):
            if g.has("weights") or g.has("bias"):
                self.error(g.path("gate"), "give either gate or weights and bias, not both")
            perceptron = _BUILTIN_GATES[g.get("gate", self.choice(tuple(_BUILTIN_GATES)))]
        else:
            weights = g.get("weights", lambda v, w: self.numbers(w, v, max_len=8))
            perceptron = Perceptron(weights, g.get("bias", self.number()))
        n = perceptron.n_inputs
        inputs = g.get("inputs", lambda v, w: self.wires(w, v, 0, 8))
        if len(inputs) != n:
            self.fail(g.path("inputs"), f"{n} wire name{'s' if n != 1 else ''} (one per weight)", list(inputs))
        return Gate(name, perceptron, inputs)

    # -- sigmoid --

    def sigmoid(self, top: _Table) -> SigmoidSpec:
        n = _Table(self, top.get("neuron", lambda v, w: v), "[neuron]", _TABLE_KEYS["neuron"])
        weights = n.get("weights", lambda v, w: self.numbers(w, v, min_len=1, max_len=LIMITS["perceptron_inputs"]))
        bias = n.get("bias", self.number())
        x = n.get("x", lambda v, w: self.numbers(w, v, length=len(weights), lo=0.0, hi=1.0))
        s = _Table(self, top.get("sigmoid", lambda v, w: v), "[sigmoid]", _TABLE_KEYS["sigmoid"])
        zmax = LIMITS["z_magnitude"]
        z = s.get("z", lambda v, w: self.numbers(w, v, lo=-zmax, hi=zmax, max_len=LIMITS["sigmoid_samples"]), ())
        scales = s.get("scales", lambda v, w: self.numbers(
            w, v, hi=LIMITS["magnitude"], max_len=LIMITS["scales"],
            what=f"a list of up to {LIMITS['scales']} scale factors above 0"), ())
        if any(c <= 0 for c in scales):
            self.fail(s.path("scales"), f"a list of up to {LIMITS['scales']} scale factors above 0",
                      s.data["scales"])
        params = tuple(f"w{j}" for j in range(1, len(weights) + 1)) + ("b",)
        nudges = tuple(
            self.nudge(t, f"[[sigmoid.nudge]][{i}]", params) for i, t in
            enumerate(self.tables("sigmoid.nudge", s.get("nudge", lambda v, w: v, []), LIMITS["nudges"]), 1))
        if not (z or scales or nudges):
            self.error("[sigmoid]", "give at least one of z, scales or [[sigmoid.nudge]] (the lesson's steps)")
        return SigmoidSpec(weights, bias, x, z, scales, nudges)

    def nudge(self, data: Any, where: str, params: tuple[str, ...]) -> Nudge:
        t = _Table(self, data, where, ("param", "delta"))
        return Nudge(t.get("param", self.choice(params)),
                     t.get("delta", self.number(-1000.0, 1000.0, nonzero=True)))

    # -- networks --

    def network(self, top: _Table, default_dtype: str) -> NetworkSpec:
        t = _Table(self, top.get("network", lambda v, w: v), "[network]", _TABLE_KEYS["network"])
        sizes = t.get("sizes", self.sizes)
        seed = t.get("seed", self.integer(0, LIMITS["seed"]), 0)
        dtype = t.get("dtype", self.choice(("float32", "float64")), default_dtype)
        weights = biases = None
        if t.has("weights") or t.has("biases"):
            if not (t.has("weights") and t.has("biases")):
                missing = "biases" if t.has("weights") else "weights"
                self.error(t.path(missing), "missing (explicit weights and biases go together)")
            count = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
            if count > LIMITS["explicit_parameters"]:
                self.error(t.path("weights"), f"explicit weights are for small networks: {count:,} parameters "
                           f"given, at most {LIMITS['explicit_parameters']:,} (use seed instead)")
            weights = self.weight_matrices(t.data["weights"], t.path("weights"), sizes)
            biases = self.bias_vectors(t.data["biases"], t.path("biases"), sizes)
        return NetworkSpec(sizes, seed, weights, biases, dtype)

    def sizes(self, v: Any, where: str) -> tuple[int, ...]:
        what = "a list of at least 2 positive integers"
        if not isinstance(v, list) or len(v) < 2 or \
                any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in v):
            self.fail(where, what, v)
        if len(v) > LIMITS["layers"]:
            self.fail(where, f"at most {LIMITS['layers']} layers", v)
        if max(v) > LIMITS["neurons_per_layer"]:
            self.fail(where, f"at most {LIMITS['neurons_per_layer']:,} neurons per layer", v)
        count = sum(a * b + b for a, b in zip(v[:-1], v[1:]))
        if count > LIMITS["network_parameters"]:
            self.error(where, f"{show(v)} has {count:,} weights and biases; the limit is "
                       f"{LIMITS['network_parameters']:,}")
        return tuple(v)

    def weight_matrices(self, v: Any, where: str, sizes: tuple[int, ...]) -> tuple:
        layers = len(sizes) - 1
        if not isinstance(v, list) or len(v) != layers:
            self.fail(where, f"a list of {layers} weight matrices (one per layer after the input)", v)
        matrices = []
        for l, (matrix, n_in, n_out) in enumerate(zip(v, sizes[:-1], sizes[1:]), start=2):
            shape = f"w{l} is {n_out}×{n_in} for sizes {show(list(sizes))}"
            if not isinstance(matrix, list) or len(matrix) != n_out:
                self.error(where, f"layer {l}: expected {n_out} rows ({shape}), got {show(matrix)}")
            rows = []
            for j, row in enumerate(matrix):
                rows.append(self.numbers(f"{where}, layer {l}, row {j}", row, length=n_in,
                                         what=f"{n_in} numbers ({shape})"))
            matrices.append(tuple(rows))
        return tuple(matrices)

    def bias_vectors(self, v: Any, where: str, sizes: tuple[int, ...]) -> tuple:
        layers = len(sizes) - 1
        if not isinstance(v, list) or len(v) != layers:
            self.fail(where, f"a list of {layers} bias lists (one per layer after the input)", v)
        return tuple(self.numbers(f"{where}, layer {l}", b, length=n,
                                  what=f"{n} numbers (layer {l} has {n} neurons)")
                     for l, (b, n) in enumerate(zip(v, sizes[1:]), start=2))

    def examples(self, v: Any, where: str, width: int, layer: str) -> tuple[tuple[float, ...], ...]:
        """One example (a flat list) or a mini-batch (a list of lists), as rows."""
        what = f"{width} number{'s' if width != 1 else ''} (one per {layer} neuron)"
        if isinstance(v, list) and v and all(isinstance(r, list) for r in v):
            if len(v) > LIMITS["batch_examples"]:
                self.fail(where, f"at most {LIMITS['batch_examples']} examples", v)
            return tuple(self.numbers(where, r, length=width, what=f"rows of {what}") for r in v)
        return (self.numbers(where, v, length=width, what=f"a list of {what}, or a list of such rows"),)

    def backprop(self, top: _Table, network: NetworkSpec) -> BackpropSpec:
        t = _Table(self, top.get("backprop", lambda v, w: v), "[backprop]", _TABLE_KEYS["backprop"])
        eta = t.get("eta", self.number(hi=LIMITS["eta"], positive=True), None)
        updates = t.get("updates", self.integer(1, LIMITS["updates"]), 1)
        if updates > 1 and eta is None:
            self.error(t.path("updates"), "successive updates need eta (the learning rate)")
        n_in, n_out = network.sizes[0], network.sizes[-1]
        if t.has("dataset"):
            for key in ("x", "y"):
                if t.has(key):
                    self.error(t.path(key), "give either x and y, or dataset and example(s), not both")
            dataset = t.get("dataset", self.choice(DATASETS))
            split = t.get("split", self.choice(("training", "test")), "training")
            if t.has("example") == t.has("examples"):
                self.error(t.path("example"), "with dataset, give exactly one of example or examples")
            index = self.integer(0, LIMITS["examples"] - 1)
            if t.has("example"):
                examples = (t.get("example", index),)
            else:
                examples = t.get("examples", lambda v, w: tuple(
                    index(i, w) for i in (v if isinstance(v, list) and 1 <= len(v) <= LIMITS["batch_examples"]
                                          else self.fail(w, f"a list of 1 to {LIMITS['batch_examples']} "
                                                            "example indices", v))))
            if n_in != IMAGE_PIXELS or n_out != CLASSES:
                self.fail("[network].sizes", f"{IMAGE_PIXELS} inputs and {CLASSES} outputs for digits from "
                          f"{dataset}", list(network.sizes))
            return BackpropSpec(dataset=dataset, split=split, examples=examples, eta=eta, updates=updates)
        for key in ("split", "example", "examples"):
            if t.has(key):
                self.error(t.path(key), "only used with dataset")
        x = t.get("x", lambda v, w: self.examples(v, w, n_in, "input"))
        y = t.get("y", lambda v, w: self.examples(v, w, n_out, "output"))
        if len(x) != len(y):
            self.error(t.path("y"), f"expected {len(x)} target rows (one per example of x), got {len(y)}")
        return BackpropSpec(x=x, y=y, eta=eta, updates=updates)

    def train_spec(self, t: _Table, network: NetworkSpec, base: Optional[TrainSpec]) -> TrainSpec:
        def get(key, check, default=_MISSING):
            if base is not None:
                default = getattr(base, key)
            return t.get(key, check, default)

        dataset = get("dataset", self.choice(DATASETS))
        spec = TrainSpec(
            dataset=dataset,
            epochs=get("epochs", self.integer(1, LIMITS["epochs"])),
            mini_batch_size=get("mini_batch_size", self.integer(1, LIMITS["mini_batch_size"])),
            eta=get("eta", self.number(hi=LIMITS["eta"], positive=True)),
            seed=get("seed", self.integer(0, LIMITS["seed"]), 0),
            validation_size=get("validation_size", self.integer(0, LIMITS["examples"]), None),
            training_size=get("training_size", self.integer(1, LIMITS["examples"]), None),
            test_size=get("test_size", self.integer(1, LIMITS["examples"]), None),
            outputs=get("outputs", self.choice(("one-hot", "binary")), "one-hot"),
        )
        n_out = CLASSES if spec.outputs == "one-hot" else 4
        if network.sizes[0] != IMAGE_PIXELS or network.sizes[-1] != n_out:
            self.fail("[network].sizes", f"{IMAGE_PIXELS} inputs and {n_out} outputs ({spec.outputs} "
                      f"outputs for digits)", list(network.sizes))
        return spec

    def train(self, top: _Table, network: NetworkSpec) -> dict:
        t = _Table(self, top.get("train", lambda v, w: v), "[train]", _TABLE_KEYS["train"])
        full = self.train_spec(t, network, None)
        quick = None
        if top.has("quick"):
            q = _Table(self, top.data["quick"], "[quick]", _TABLE_KEYS["quick"])
            quick = self.train_spec(q, network, full)
            seeds = q.get("seeds", lambda v, w: self.numbers(w, v, min_len=3, max_len=9, lo=0, hi=LIMITS["seed"], what=(
                "a list of 3 to 9 seeds (an odd number: the median run decides)")), ())
            if seeds and (len(seeds) % 2 == 0 or any(s != int(s) for s in seeds)):
                self.fail(q.path("seeds"), "an odd number (3 to 9) of integer seeds: the median run decides",
                          q.data["seeds"])
            extra = {"quick_seeds": tuple(int(s) for s in seeds)}
        else:
            extra = {}
        return {"train": full, "quick": quick, "max_epochs": max(full.epochs, quick.epochs if quick else 0), **extra}

    # -- narration, breakpoints, controls --

    def narration(self, data: Any, where: str) -> Narration:
        t = _Table(self, data, where, ("step", "text"))
        narration = Narration(t.get("step", self.step_ref), t.get("text", self.string(LIMITS["text_chars"])))
        try:
            placeholders(narration.text)
        except ValueError as error:
            self.error(t.path("text"), str(error))
        return narration

    def breakpoints(self, v: Any, kind: str) -> tuple[tuple, tuple]:
        steps, conditions = [], []
        for i, data in enumerate(self.tables("breakpoint", v, LIMITS["list_entries"]), 1):
            t = _Table(self, data, f"[[breakpoint]][{i}]", ("step", "when", "epsilon", "at_least"))
            if t.has("step") == t.has("when"):
                self.error(t.where, "give exactly one of step (a step to stop at) or when (a condition)")
            if t.has("step"):
                for key in ("epsilon", "at_least"):
                    if t.has(key):
                        self.error(t.path(key), "only used with when")
                steps.append(t.get("step", self.step_ref))
                continue
            when = t.get("when", self.choice(_CONDITIONS))
            if kind not in _CONDITION_KINDS[when]:
                self.error(t.path("when"), f"\"{when}\" does not apply to a {kind} lesson "
                           f"(it does to {', '.join(_CONDITION_KINDS[when])})")
            epsilon = at_least = None
            if when in ("saturation", "vanishing"):
                epsilon = t.get("epsilon", self.number(hi=1.0, positive=True))
            elif t.has("epsilon"):
                self.error(t.path("epsilon"), f"not used by when = \"{when}\"")
            if when == "accuracy":
                at_least = t.get("at_least", self.number(0.0, 1.0))
            elif t.has("at_least"):
                self.error(t.path("at_least"), f"not used by when = \"{when}\"")
            conditions.append(Condition(when, epsilon, at_least))
        return tuple(steps), tuple(conditions)

    def controls(self, v: Any, kind: str) -> Controls:
        t = _Table(self, v, "[controls]", ("editable", "locked"))
        known = tuple(f"{table}.{key}" for table in _KIND_TABLES[kind] for key in _TABLE_KEYS[table]
                      if key != "expect")

        def names(value, where):
            if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
                self.fail(where, "a list of parameter names such as \"" + known[0] + "\"", value)
            for n in value:
                if n not in known:
                    hint = difflib.get_close_matches(n, known, n=1)
                    suggestion = f"; did you mean {hint[0]!r}?" if hint else f" (known: {', '.join(known)})"
                    raise NnsimError(f"{self.label}: {where}: unknown parameter {show(n)}{suggestion}")
            return set(value)

        editable = t.get("editable", names, set(known))
        locked = t.get("locked", names, set())
        both = editable & locked if t.has("editable") else set()
        if both:
            self.error(t.path("locked"), f"{sorted(both)[0]} is listed as both editable and locked")
        return Controls(frozenset(editable - locked))

    # -- expectations --

    def expects(self, v: Any, where: str, kind: str, fields: dict) -> tuple[Expect, ...]:
        return tuple(self.expect(data, f"[[{where}]][{i}]", kind, fields)
                     for i, data in enumerate(self.tables(where, v, LIMITS["list_entries"]), 1))

    def expect(self, data: Any, where: str, kind: str, fields: dict) -> Expect:
        if not isinstance(data, Mapping):
            self.fail(where, "a table", data)
        if "type" not in data:
            self.error(f"{where}.type", "missing (required: one of " + ", ".join(_EXPECT_TYPES) + ")")
        etype = self.choice(_EXPECT_TYPES)(data["type"], f"{where}.type")
        if kind not in _EXPECT_KINDS[etype]:
            self.error(f"{where}.type", f"\"{etype}\" does not apply to a {kind} lesson "
                       f"(it does to {', '.join(_EXPECT_KINDS[etype])})")
        keys = {
            "output": ("input", "output"),
            "truth_table": ("outputs",),
            "value": ("step", "name", "equals", "tolerance", "at_most", "at_least", "within"),
            "trend": ("steps", "name", "direction"),
            "gradient_check": ("max_relative_error", "parameters", "epsilon"),
            "accuracy": ("at_least", "at_most", "after_epochs"),
            "compare": ("lower_than", "higher_than", "by_at_least", "after_epochs"),
        }[etype]
        t = _Table(self, data, where, ("type", "description") + keys)
        out: dict[str, Any] = {"type": etype, "description": t.get("description", self.string(200, True), None)}
        n_inputs, n_outputs = self.gate_shape(kind, fields)
        if etype == "output":
            out["input"] = t.get("input", lambda v, w: self.bits(w, v, n_inputs))
            out["output"] = t.get("output", lambda v, w: self.outputs_value(v, w, n_outputs))
        elif etype == "truth_table":
            rows = 2 ** n_inputs
            out["outputs"] = t.get("outputs", lambda v, w: self.truth_outputs(v, w, rows, n_outputs))
        elif etype == "value":
            out["step"] = t.get("step", self.step_ref)
            out["name"] = t.get("name", self.string(80, True))
            bounds = [k for k in ("equals", "at_most", "at_least", "within") if t.has(k)]
            if not bounds:
                self.error(where, "give equals (with tolerance), at_most, at_least or within")
            if t.has("equals"):
                out["equals"] = t.get("equals", self.nested_numbers)
                out["tolerance"] = t.get("tolerance", self.number(0.0, LIMITS["tolerance"], what=(
                    f"a tolerance from 0 to {LIMITS['tolerance']:g} (a bigger one would pass anything)")), 1e-9)
            elif t.has("tolerance"):
                self.error(t.path("tolerance"), "only used with equals")
            if t.has("within"):
                if t.has("at_most") or t.has("at_least"):
                    self.error(t.path("within"), "within is both bounds (−within to within): drop at_most/at_least")
                out["within"] = t.get("within", self.number(positive=True))
                out["at_least"], out["at_most"] = -out["within"], out["within"]
            else:
                out["at_most"] = t.get("at_most", self.number(), None)
                out["at_least"] = t.get("at_least", self.number(), None)
            self.less_than(t, where, out)
        elif etype == "trend":
            out["steps"] = t.get("steps", self.string(LIMITS["title_chars"], True))
            out["name"] = t.get("name", self.string(80, True))
            out["direction"] = t.get("direction", self.choice(("decreasing", "increasing")))
        elif etype == "gradient_check":
            out["max_relative_error"] = t.get("max_relative_error", self.number(hi=1.0, positive=True))
            out["parameters"] = t.get("parameters", self.integer(1, 10_000), None)
            out["epsilon"] = t.get("epsilon", self.number(hi=1.0, positive=True), 1e-5)
        else:
            spec: TrainSpec = fields["train"]
            out["after_epochs"] = t.get("after_epochs", self.integer(1, spec.epochs, what=(
                f"a number of epochs from 1 to {spec.epochs} (this run's epochs)")), spec.epochs)
            if etype == "accuracy":
                if t.has("at_least") == t.has("at_most"):
                    self.error(where, "give exactly one of at_least or at_most")
                out["at_least"] = t.get("at_least", self.number(0.0, 1.0), None)
                out["at_most"] = t.get("at_most", self.number(0.0, 1.0), None)
            else:
                if t.has("lower_than") == t.has("higher_than"):
                    self.error(where, "give exactly one of lower_than or higher_than (another lesson)")
                lesson = self.string(200, True)
                out["lower_than"] = t.get("lower_than", lesson, None)
                out["higher_than"] = t.get("higher_than", lesson, None)
                out["by_at_least"] = t.get("by_at_least", self.number(0.0, 1.0), 0.0)
        return Expect(**out)

    def gate_shape(self, kind: str, fields: dict) -> tuple[int, int]:
        if kind == "perceptron":
            return fields["perceptron"].n_inputs, 1
        if kind == "circuit":
            return len(fields["circuit"].inputs), len(fields["circuit"].outputs)
        return 0, 0

    def outputs_value(self, v: Any, where: str, n_outputs: int):
        """0 or 1 for one output; a list of bits for a circuit with several."""
        if n_outputs == 1 and not isinstance(v, list):
            if isinstance(v, bool) or not isinstance(v, int) or v not in (0, 1):
                self.fail(where, "0 or 1", v)
            return v
        bits = self.bits(where, v, n_outputs)
        return bits[0] if n_outputs == 1 else bits

    def truth_outputs(self, v: Any, where: str, rows: int, n_outputs: int) -> tuple:
        what = (f"a list of {rows} outputs (0 or 1), one per input row in counting order" if n_outputs == 1 else
                f"a list of {rows} rows of {n_outputs} bits, one per input row in counting order")
        if not isinstance(v, list) or len(v) != rows:
            self.fail(where, what, v)
        return tuple(self.outputs_value(row, where, n_outputs) for row in v)

    def nested_numbers(self, v: Any, where: str, depth: int = 0):
        """A number, or a (nested) list of numbers with rows of equal length."""
        if isinstance(v, list):
            if depth >= 2 or not v or len(v) > LIMITS["explicit_parameters"]:
                self.fail(where, "a number, a list of numbers or a list of equal-length lists", v)
            items = tuple(self.nested_numbers(item, where, depth + 1) for item in v)
            if depth == 0 and isinstance(items[0], tuple) and \
                    any(not isinstance(i, tuple) or len(i) != len(items[0]) for i in items):
                self.fail(where, "rows of equal length", v)
            if depth == 0 and not isinstance(items[0], tuple) and any(isinstance(i, tuple) for i in items):
                self.fail(where, "rows of equal length", v)
            return items
        return self.number(-1e300, 1e300, what="a finite number")(v, where)
