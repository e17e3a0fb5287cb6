"""``nnsim draw``: draw a digit and watch the network read it."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "draw", help="draw a digit and watch a network read it",
        description="Open the drawing canvas: draw a digit with the mouse or the keyboard and watch a network "
                    "read it, then open its backprop pass. The network is --network FILE, else the last one "
                    "the training screen saved, else the app offers to train one.")
    p.add_argument("--network", metavar="FILE", help="a saved network (.npz from nnsim train --save or w)")
    p.add_argument("--data-dir", metavar="DIR", help="where datasets are cached, for training a network now")
    p.set_defaults(func=draw_command)


def draw_command(args) -> int:
    from nnsim.tui.screens.draw.app import run

    return run(args.network, data_dir=args.data_dir)
