"""``nnsim serve``: the app in students' browsers, one app process per browser tab.

- the command itself is registered by :mod:`nnsim.cli.serve` (light imports only);
- :mod:`nnsim.serve.server` is the web server: textual-serve's ``Server`` with a
  cap on concurrent sessions, a page for the one turned away, and URLs built from
  the address each browser used;
- :mod:`nnsim.serve.session` is what each browser connection runs
  (``python -m nnsim.serve.session``): the app, on the lesson the teacher chose,
  under its limits (:mod:`nnsim.serve.limits`: memory) and, where Linux offers
  it, its sandbox (:mod:`nnsim.serve.sandbox`: Landlock);
- :mod:`nnsim.serve.service` runs one session's process for the server;
  :mod:`nnsim.serve.guard` checks origins, host names and sizes;
  :mod:`nnsim.serve.links` deep links and tickets; :mod:`nnsim.serve.hub`
  "follow the teacher"; :mod:`nnsim.serve.pages` the HTML pages.

textual-serve is an optional dependency (``pip install 'nnsim[web]'``).
"""
