"""One backprop pass computed the seed's way, independently of nnsim's core.

The numbers written in ``scenarios/backprop-by-hand.toml`` come from here (the
seed's per-example ``ReferenceNetwork`` in float64, plus the seed's own
formulas for z, a and the cost), and a test recomputes them to prove the file
and the core both agree with the seed. Run this file to print the numbers.
"""

import numpy as np

from tests.reference_network import ReferenceNetwork, sigmoid


def reference_pass(weights, biases, x, y, eta):
    """{(step title, array name): array} for one example, as the core's trace names them."""
    net = ReferenceNetwork([len(x), len(biases[0]), len(biases[1])],
                           weights=[np.array(w) for w in weights],
                           biases=[np.array(b, dtype=np.float64).reshape(-1, 1) for b in biases])
    x = np.array(x, dtype=np.float64).reshape(-1, 1)
    y = np.array(y, dtype=np.float64).reshape(-1, 1)
    z2 = net.weights[0] @ x + net.biases[0]
    a2 = sigmoid(z2)
    z3 = net.weights[1] @ a2 + net.biases[1]
    a3 = sigmoid(z3)
    nabla_b, nabla_w = net.backprop(x, y)
    before = [w.copy() for w in net.weights], [b.copy() for b in net.biases]
    net.update_mini_batch([(x, y)], eta)
    return {
        ("forward, layer 2", "z"): z2, ("forward, layer 2", "a"): a2,
        ("forward, layer 3", "z"): z3, ("forward, layer 3", "a"): a3,
        ("cost, layer 3", "cost"): 0.5 * np.sum((a3 - y) ** 2, axis=0, keepdims=True),
        ("output error, layer 3", "delta"): nabla_b[1],  # BP3: ∂C/∂b = δ for one example
        ("backward, layer 2", "delta"): nabla_b[0],
        ("gradient, layer 3", "nabla_b"): nabla_b[1], ("gradient, layer 3", "nabla_w"): nabla_w[1],
        ("gradient, layer 2", "nabla_b"): nabla_b[0], ("gradient, layer 2", "nabla_w"): nabla_w[0],
        ("update, layer 2", "w_after"): net.weights[0], ("update, layer 2", "b_after"): net.biases[0],
        ("update, layer 3", "w_after"): net.weights[1], ("update, layer 3", "b_after"): net.biases[1],
        ("update, layer 2", "w_before"): before[0][0], ("update, layer 3", "w_before"): before[0][1],
    }


if __name__ == "__main__":  # print the [[expect]] tables for the scenario file
    import tomllib
    from pathlib import Path

    doc = tomllib.loads((Path(__file__).parents[2] / "scenarios" / "backprop-by-hand.toml").read_text())
    b = doc["backprop"]
    values = reference_pass(doc["network"]["weights"], doc["network"]["biases"], b["x"], b["y"], b["eta"])
    for (title, name), array in values.items():
        if name.endswith("_before"):
            continue
        rows = [[float(f"{v:.12g}") for v in row] for row in array]
        equals = rows if array.shape[1] > 1 else [r[0] for r in rows]
        print(f'[[expect]]\ntype = "value"\nstep = "{title}"\nname = "{name}"\nequals = {equals}\n'
              f'tolerance = 1e-10\n')
