"""Wake-ups for stream readers: one PostgreSQL ``LISTEN`` per handling instance on the channel that
every commit of a timeline entry notifies (``<schema>_case_stream``, see migration 0002).

A notification carries nothing: readers always read the stream table itself, so a notification lost
while the listening connection was down costs only latency (the connection is rebuilt, and everyone is
woken then, and readers also look again at each heartbeat).
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

log = logging.getLogger(__name__)


class Wakeup:
    """Wakes every waiter at once. Take ``waiter()`` *before* reading, then wait on it: a commit that
    lands after the read still wakes the reader, and nothing is missed between the two."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def waiter(self) -> asyncio.Event:
        return self._event

    def wake_all(self) -> None:
        woken, self._event = self._event, asyncio.Event()
        woken.set()


class StreamListener:
    def __init__(self, *, database_url: str, schema: str, retry_seconds: float = 1.0) -> None:
        self._database_url = database_url
        self.channel = f"{schema}_case_stream"
        self._retry_seconds = retry_seconds
        self.wakeup = Wakeup()
        self.listening = False

    async def run(self) -> None:
        """Listen until cancelled; reconnect after the database goes away."""
        while True:
            try:
                await self._listen_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("case stream listener lost its connection", extra={"error": repr(exc)[:300]})
            self.listening = False
            await asyncio.sleep(self._retry_seconds)

    async def _listen_once(self) -> None:
        conn = await asyncpg.connect(self._database_url)
        lost = asyncio.Event()
        try:
            conn.add_termination_listener(lambda _: lost.set())
            await conn.add_listener(self.channel, self._on_notify)
            self.listening = True
            # Whatever committed while nobody listened is found by the readers this wakes.
            self.wakeup.wake_all()
            await lost.wait()
        finally:
            await conn.close()

    def _on_notify(self, *_: object) -> None:
        self.wakeup.wake_all()
