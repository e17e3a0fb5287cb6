"""The host capability without a browser: what a served session may open and where its files go,
the same screens writing local files in the terminal, and the follow hub's protocol."""

from __future__ import annotations

import asyncio
import json

import pytest

from nnsim.errors import NnsimError
from nnsim.serve.guard import Guard, cap_size, normal_origin
from nnsim.serve.hub import STUDENT, TEACHER, Hub
from nnsim.tui.app import NnsimApp
from nnsim.tui.host import UNKNOWN_LESSON, LocalHost, ServedHost, lesson_table, safe_file_name


def test_a_served_session_opens_lesson_names_only_with_one_answer_for_everything_else(tmp_path):
    mine = tmp_path / "my-lesson.toml"
    mine.write_text((lesson_table()["nand"]).read_text())
    host = ServedHost(lesson_table(tmp_path))
    assert host.open_lesson("xor").name == "xor"
    assert host.open_lesson("my-lesson").name == "my-lesson"
    existing, missing = tmp_path / "secret.toml", tmp_path / "missing.toml"
    existing.write_text("not toml at all = = =")
    answers = set()
    for probe in (str(existing), str(missing), "/etc/passwd", "../scenarios/xor", "xor.toml", "~/.bashrc",
                  str(mine), "nand/", "x" * 10_000, "secret", ""):
        with pytest.raises(NnsimError) as error:
            host.open_lesson(probe)
        answers.add(str(error.value))
    assert answers == {UNKNOWN_LESSON}
    # The terminal still opens any file by path, and says what is wrong with it.
    with pytest.raises(NnsimError, match="secret.toml"):
        LocalHost().open_lesson(str(existing))


def test_served_files_go_to_the_browser_by_name_and_local_files_to_their_path(tmp_path):
    delivered = []
    host = ServedHost(deliver=lambda f, **kw: delivered.append((f.read(), kw)))
    message = host.save_bytes(None, "~/.ssh/authorized_keys", b"npz", "the network")
    assert message == "sent the network to your browser as a download: authorized_keys"
    assert delivered == [(b"npz", {"save_filename": "authorized_keys", "open_method": "download"})]
    assert safe_file_name("../../etc/passwd", "d") == "passwd" and safe_file_name("..", "d") == "d"
    assert safe_file_name("a b\r\nc.npz", "d") == "a-b-c.npz"
    message = host.save_files(None, {"a-trace.jsonl": "{}", "a-handout.md": "# a"}, "1 pass")
    assert message == "exported 1 pass: sent a-trace.jsonl and a-handout.md to your browser as downloads"
    assert [d[0] for d in delivered[1:]] == [b"{}", b"# a"]

    local = LocalHost()
    target = tmp_path / "model.npz"
    assert local.save_bytes(None, str(target), b"abc", "the network") == f"saved the network to {target}"
    assert target.read_bytes() == b"abc" and not (tmp_path / "model.npz.part").exists()
    assert local.check_target(str(tmp_path)).startswith(f"cannot save the model to {tmp_path}: it is a folder")
    with pytest.raises(NnsimError, match="cannot save the model to"):
        local.save_bytes(None, str(target / "x"), b"", "the network")


async def test_the_home_screen_under_nnsim_serve_answers_a_path_with_the_one_message(tmp_path):
    app = NnsimApp(cursor_blink=False, host=ServedHost())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = app.screen
        await pilot.press("o")  # to the box, which keeps the focus
        for probe in (str(tmp_path), "/etc/passwd"):
            home.query_one("#path").value = probe
            await pilot.press("enter")
            await pilot.pause()
            assert home.message == UNKNOWN_LESSON
        home.query_one("#path").value = "xor"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.scenario.name == "xor"


def test_guard_checks_origins_names_and_sizes():
    guard = Guard(["https://Class.Example"])
    assert guard.same_origin("http://127.0.0.1:8000", "127.0.0.1:8000", False)
    assert not guard.same_origin("http://127.0.0.1:8001", "127.0.0.1:8000", False)
    assert not guard.same_origin("https://127.0.0.1:8000", "127.0.0.1:8000", False)
    assert not guard.same_origin("http://evil.example:8000", "evil.example:8000", False)  # rebinding
    assert guard.same_origin("https://class.example", "127.0.0.1:8000", False)
    assert not guard.same_origin(None, "127.0.0.1:8000", False)
    assert guard.known_host("localhost:8000") and guard.known_host("[::1]:8000") and not guard.known_host("x.io")
    assert cap_size("20000", "20000") == (300, 120) and cap_size("-5", "nope") == (20, 24)
    assert cap_size(10 ** 30, 1e300) == (300, 120)
    assert normal_origin("HTTP://A.example:80/") == "http://a.example"
    for bad in ("a.example", "ftp://a", "http://a/path", "http://u@a", "http://a:99999"):
        with pytest.raises(NnsimError):
            normal_origin(bad)


async def test_the_hub_knows_the_teacher_by_key_and_counts_who_follows(tmp_path):
    hub = Hub()
    path = str(tmp_path / "hub.sock")
    await hub.start(path)
    teacher_key, student_key = hub.register(TEACHER), hub.register(STUDENT)

    async def connect(key):
        reader, writer = await asyncio.open_unix_connection(path)
        writer.write(json.dumps({"hello": key}).encode() + b"\n")
        return reader, writer

    async def read(reader):
        return json.loads(await asyncio.wait_for(reader.readline(), 5))

    try:
        teacher = await connect(teacher_key)
        assert await read(teacher[0]) == {"class": [0, 0]}
        student = await connect(student_key)
        assert await read(teacher[0]) == {"class": [1, 0]}
        teacher[1].write(b'{"at": ["xor", 3]}\n')
        assert await read(student[0]) == {"goto": ["xor", 3]}
        student[1].write(b'{"following": false}\n')
        assert await read(teacher[0]) == {"class": [0, 1]}
        # A student cannot lead: its "at" moves nobody; a made-up key is dropped at once.
        student[1].write(b'{"at": ["nand", 1]}\n')
        impostor = await connect("made-up")
        assert await asyncio.wait_for(impostor[0].readline(), 5) == b""
        assert hub.position == ["xor", 3]
        student[1].close()
        assert await read(teacher[0]) == {"class": [0, 0]}
    finally:
        await hub.stop()
