"""``python -m nnsim`` is the same as the ``nnsim`` command."""

from nnsim.cli import main

raise SystemExit(main())
