"""Widgets more than one screen draws, one module per widget.

- :mod:`~nnsim.tui.widgets.digit` — ``DigitView``: a 28×28 image in half-blocks (digits, weights).
- :mod:`~nnsim.tui.widgets.digit_image` — ``DigitImage``: a DigitView with a colour scale and a mark.
- :mod:`~nnsim.tui.widgets.plot` — ``TextPlot`` (with ``Series``, ``Marker``): braille line plots.

The rest of the app is grouped by where it sits: ``nnsim.tui.frame`` holds what every
lesson screen has (the debugger, narration, status line, step counter, equation and
expectation panels, dialogs), ``nnsim.tui.style`` the number formats, colours and the
drawing canvas, and ``nnsim.tui.screens.<kind>`` each screen with its own widgets and
stylesheet. Import from the module: packages import nothing themselves, so a screen
pays only for what it uses. Widgets format numbers; they never compute them.
"""
