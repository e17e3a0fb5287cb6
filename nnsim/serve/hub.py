"""Follow the teacher: the message channel between app sessions, owned by the server.

``nnsim serve --follow`` listens on a unix socket in the server's private
folder (mode 0700) and passes its path to every session in the environment,
with a key of the session's own. The key tells the hub who is the teacher: a
session cannot name itself teacher, only the server can, when the tab's page
came with the teacher link's token.

The protocol is one JSON object per line:

- session → hub, first line: ``{"hello": KEY}``;
- teacher → hub: ``{"at": [LESSON, STEP]}`` (LESSON null on the home screen);
- hub → students: ``{"goto": [LESSON, STEP]}``, at once, and on hello;
- student → hub: ``{"following": true|false}``;
- hub → teachers: ``{"class": [FOLLOWING, ON_THEIR_OWN]}`` whenever that changes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import Optional

log = logging.getLogger("nnsim.serve")

TEACHER, STUDENT = "teacher", "student"
# One line from a session is a small JSON object; anything longer is not ours.
MAX_LINE = 4096


@dataclass
class Client:
    role: str
    writer: asyncio.StreamWriter
    following: bool = True


@dataclass
class Hub:
    """Who is connected, where the teacher is, and the broadcasts between them."""

    keys: dict[str, str] = field(default_factory=dict)
    clients: list[Client] = field(default_factory=list)
    position: Optional[list] = None
    server: Optional[asyncio.AbstractServer] = None

    def register(self, role: str) -> str:
        """A key for a session about to start in ``role``."""
        key = secrets.token_hex(16)
        self.keys[key] = role
        return key

    def forget(self, key: str) -> None:
        self.keys.pop(key, None)

    async def start(self, path: str) -> None:
        self.server = await asyncio.start_unix_server(self._serve, path=path, limit=MAX_LINE)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            for client in list(self.clients):
                client.writer.close()
            await self.server.wait_closed()

    @property
    def counts(self) -> tuple[int, int]:
        students = [c for c in self.clients if c.role == STUDENT]
        following = sum(1 for c in students if c.following)
        return following, len(students) - following

    def _send(self, client: Client, message: dict) -> None:
        try:
            client.writer.write((json.dumps(message) + "\n").encode())
        except (ConnectionError, RuntimeError):
            pass

    def _tell_teachers(self) -> None:
        for client in self.clients:
            if client.role == TEACHER:
                self._send(client, {"class": list(self.counts)})

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        client = None
        try:
            hello = json.loads(await reader.readline())
            role = self.keys.get(str(hello.get("hello")))
            if role is None:
                return
            client = Client(role, writer)
            self.clients.append(client)
            if role == STUDENT and self.position is not None:
                self._send(client, {"goto": self.position})
            self._tell_teachers()
            while line := await reader.readline():
                message = json.loads(line)
                if role == TEACHER and isinstance(message.get("at"), list) and len(message["at"]) == 2:
                    lesson, step = message["at"]
                    self.position = [lesson if isinstance(lesson, str) else None,
                                     step if isinstance(step, int) else None]
                    for other in self.clients:
                        if other.role == STUDENT:
                            self._send(other, {"goto": self.position})
                elif role == STUDENT and isinstance(message.get("following"), bool):
                    client.following = message["following"]
                    self._tell_teachers()
        except (ValueError, AttributeError, ConnectionError, asyncio.LimitOverrunError, asyncio.IncompleteReadError):
            pass  # a session that speaks nonsense is dropped
        finally:
            if client is not None:
                self.clients.remove(client)
                self._tell_teachers()
            writer.close()
