"""The faust floor for bench.dispatch: a faust worker that passes every report through, unchanged.

The same faust settings, batching and acknowledged publishing as dispatch, with no decoding, triage or
encoding: one record out per record in. Between the raw aiokafka loop and dispatch it splits the gap into
what faust itself costs and what dispatch's work costs. (Measured here: a take of 1,000, a 4× stream
buffer, a larger poll or uvloop change its rate by less than the run-to-run spread.) Run by
bench.dispatch as a subprocess:

    python -m bench.faust_passthrough BOOTSTRAP SOURCE_TOPIC SINK_TOPIC GROUP DATADIR
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, cast

import faust
from faust.types import EventT, StreamT

from shared.kafka import make_producer


def _headers(event: EventT[Any]) -> list[tuple[str, bytes]]:
    # aiokafka's producer wants a list; faust hands the consumed headers on as it got them.
    return list(cast(list[tuple[str, bytes]], event.message.headers or []))


def run(bootstrap: str, source: str, sink: str, group: str, datadir: str) -> None:
    app = faust.App(
        group,
        broker=f"kafka://{bootstrap}",
        store="memory://",
        autodiscover=False,
        datadir=datadir,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        web_enabled=False,
    )
    topic = app.topic(source, key_serializer="raw", value_serializer="raw")

    @app.agent(topic)
    async def passthrough(stream: StreamT[Any]) -> None:
        producer = make_producer(bootstrap, client_id=f"{group}-producer")  # needs the running loop
        await producer.start()
        async for events in cast(faust.Stream[Any], stream).take_events(200, within=0.05):
            sends = [
                await producer.send(sink, e.message.value, key=e.message.key, headers=_headers(e))
                for e in events
            ]
            await asyncio.gather(*sends)

    faust.Worker(app, loglevel="WARNING", quiet=True, override_logging=False).execute_from_commandline()


if __name__ == "__main__":
    run(*sys.argv[1:6])
