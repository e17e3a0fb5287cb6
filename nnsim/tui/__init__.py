"""The terminal app: a home screen of lessons and one screen per lesson kind.

Start it with :func:`nnsim.tui.app.run` (``nnsim`` with no command). Screens
are imported lazily (see :mod:`nnsim.tui.screens`) so that the first frame
comes quickly; shared widgets live in :mod:`nnsim.tui.widgets`.
"""
