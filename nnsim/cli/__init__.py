"""The ``nnsim`` command line: the outermost shell, above the app and the server.

- :mod:`nnsim.cli.main` — the parser, and the one boundary that turns every
  user-facing failure into one ``nnsim: error:`` line with exit status 2;
- :mod:`nnsim.cli.args` — argument types shared by the commands;
- :mod:`nnsim.cli.lessons` — ``list``, ``run``, ``check``, ``open``;
- :mod:`nnsim.cli.serve` — ``serve``;
- :mod:`nnsim.cli.data` — ``data download|path|verify``;
- :mod:`nnsim.cli.train` — ``train`` (headless, or the app's training screen).

Nothing below this package imports it: the core, data and lessons know no argparse.
"""

from nnsim.cli.main import main

__all__ = ["main"]
