"""``nnsim serve``: the app in students' browsers, one app process per browser tab.

- the command itself is registered by :mod:`nnsim.cli.serve` (light imports only);
- :mod:`nnsim.serve.server` is the web server: textual-serve's ``Server`` with a
  cap on concurrent sessions, a page for the one turned away, and URLs built from
  the address each browser used;
- :mod:`nnsim.serve.session` is what each browser connection runs
  (``python -m nnsim.serve.session``): the app, on the lesson the teacher chose.

textual-serve is an optional dependency (``pip install 'nnsim[web]'``).
"""
