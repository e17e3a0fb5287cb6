"""``nnsim serve``: put the app in the browsers of a classroom.

Each browser tab that opens the page gets its own app process on this machine,
so the number of tabs at once is capped (``--max-sessions``). textual-serve is
imported inside the handler: it is optional, and ``nnsim`` must start fast.
"""

from __future__ import annotations

from nnsim.cli.args import whole_number

DEFAULT_PORT = 8000
# Each session is a Python process running the app (about 55 MB of memory, more in training lessons),
# so a class of 30 fits a teacher's laptop; raise it with --max-sessions.
DEFAULT_MAX_SESSIONS = 30
INSTALL_HINT = "pip install 'nnsim[web]'"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "serve", help="serve the app to web browsers (a classroom)",
        description="Serve the nnsim app in web browsers: every browser tab that opens the printed URL gets "
                    "its own copy of the app. Listens on this computer only (127.0.0.1) unless --host is "
                    f"given. Needs the web extra: {INSTALL_HINT}")
    p.add_argument("lesson", nargs="?", metavar="LESSON",
                   help="start every session on this lesson (a bundled lesson's name or a scenario file)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1, this computer only; 0.0.0.0 lets other "
                        "devices on the network in)")
    p.add_argument("--port", type=whole_number(0, 65535, what="a port number"), default=DEFAULT_PORT,
                   help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--max-sessions", type=whole_number(1), default=DEFAULT_MAX_SESSIONS, metavar="N",
                   help=f"most browser tabs served at once; one more is turned away with a message "
                        f"(default {DEFAULT_MAX_SESSIONS})")
    p.add_argument("--step", type=whole_number(1, what="a step number"), metavar="N",
                   help="with LESSON, start at step N (counted from 1, as the app's step counter shows)")
    p.add_argument("--present", action="store_true",
                   help="start every session in presenter mode (high contrast, side panels folded)")
    p.set_defaults(func=serve_command)


def serve_command(args) -> int:
    from nnsim.errors import NnsimError

    if args.step is not None and args.lesson is None:
        raise NnsimError("--step needs a LESSON to start on (e.g. nnsim serve xor --step 5)")
    try:
        import textual_serve  # noqa: F401  (only to know it is there)
    except ImportError:
        raise NnsimError(f"serving in the browser needs textual-serve, which is not installed; "
                         f"install it with: {INSTALL_HINT}") from None

    from nnsim.serve.server import ClassroomServer, session_command

    lesson_path = title = None
    if args.lesson is not None:
        from nnsim.lessons.scenario import load_scenario

        # A typo must stop here, not in every student's browser.
        scenario = load_scenario(args.lesson)
        lesson_path = str(scenario.path.resolve())
        title = f"nnsim: {scenario.title}"
    server = ClassroomServer(
        session_command(lesson=lesson_path, step=args.step, present=args.present),
        host=args.host, port=args.port, max_sessions=args.max_sessions, title=title or "nnsim",
    )
    return server.run()
