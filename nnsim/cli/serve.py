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
# Each session's address space: room for a full MNIST training run, not for a runaway one.
DEFAULT_MEMORY_MB = 1024
# Below this a session could not start, or not train on the sample (see nnsim.serve.limits).
MIN_MEMORY_MB = 400
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
    p.add_argument("--lessons", metavar="DIR",
                   help="also offer the lessons (*.toml) in this folder; students open lessons by name only")
    p.add_argument("--follow", action="store_true",
                   help="follow the teacher: prints a private teacher link; students' tabs go where it goes "
                        "(j leaves and rejoins)")
    p.add_argument("--allow-origin", action="append", default=[], metavar="URL",
                   help="also accept browser sessions from pages of this origin (such as a proxy's "
                        "https://class.example); only the server's own pages are accepted otherwise")
    p.add_argument("--memory-limit", type=whole_number(MIN_MEMORY_MB, 1_000_000, what="a memory limit in MB"),
                   default=DEFAULT_MEMORY_MB, metavar="MB",
                   help=f"most memory (address space) one session's app may use (default {DEFAULT_MEMORY_MB} MB; "
                        f"at least {MIN_MEMORY_MB}: the app needs about 180 MB to start and 360 MB to train "
                        f"a small network); a tab whose session reaches it is told so")
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

    from nnsim.serve.server import ClassroomServer
    from nnsim.serve.links import Start
    from nnsim.serve.guard import normal_origin
    from nnsim.tui.app import start_point
    from nnsim.tui.host import LESSON_NAME, lesson_table

    origins = [normal_origin(url) for url in args.allow_origin]
    table = lesson_table(check_lessons_dir(args.lessons) if args.lessons else None)
    name = title = None
    if args.lesson is not None:
        # A typo, or a step the lesson does not have, must stop here, not in every student's browser.
        scenario, _, _ = start_point(args.lesson, args.step)
        name = scenario.name
        if not LESSON_NAME.fullmatch(name):
            raise NnsimError(f"{args.lesson}: a served lesson's file name may have only letters, digits, - and _ "
                             f"(students' tabs open it by that name)")
        if table.get(name) != scenario.path.resolve():
            table[name] = scenario.path.resolve()  # a file the teacher named is served under its name
        title = f"nnsim: {scenario.title}"
    import secrets

    from nnsim.data.cache import cache_root
    from nnsim.data.mnist import prepare_decoded
    from nnsim.sanitize import sanitize

    for line in prepare_decoded():
        print(f"nnsim serve: {sanitize(line)}", flush=True)
    server = ClassroomServer(
        host=args.host, port=args.port, max_sessions=args.max_sessions, title=title or "nnsim",
        lessons=table, start=Start(name, args.step, args.present), allow_origins=origins,
        memory_mb=args.memory_limit, follow=args.follow,
        teacher_token=secrets.token_urlsafe(16) if args.follow else None, data_dir=str(cache_root()),
    )
    return server.run()


def check_lessons_dir(folder: str):
    """The ``--lessons`` folder, every lesson in it read and checked now (NnsimError if not)."""
    from pathlib import Path

    from nnsim.errors import NnsimError
    from nnsim.lessons.scenario import load_scenario
    from nnsim.tui.host import LESSON_NAME

    path = Path(folder).expanduser()
    if not path.is_dir():
        raise NnsimError(f"--lessons {folder}: no such folder")
    files = sorted(path.glob("*.toml"))
    if not files:
        raise NnsimError(f"--lessons {folder}: no lesson files (*.toml) in it")
    for file in files:
        if not LESSON_NAME.fullmatch(file.stem):
            raise NnsimError(f"{file}: a served lesson's file name may have only letters, digits, - and _ "
                             f"(students open it by that name)")
        load_scenario(file)
    return path.resolve()
