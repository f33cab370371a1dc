"""The case stream's pure parts: where a connection resumes, how replay is batched, when a reader
waits, and what goes on the wire."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from services.handling.domain.access import Viewer
from services.handling.listening import Wakeup
from services.handling.metrics import HandlingMetrics
from services.handling.queries import CaseFilter
from services.handling.schemas import StreamEvent
from services.handling.stream import (
    BadPosition,
    CaseStream,
    encode,
    follow,
    parse_position,
    starting_position,
)
from shared.observability import ServiceMetrics
from tools.watch import describe

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def row(position: int) -> dict[str, Any]:
    """A row of the ``case_stream`` table: one timeline entry and the case as its commit left it."""
    return {
        "position": position,
        "case_id": uuid.UUID(int=1),
        "seq": position,
        "event_id": uuid.UUID(int=1000 + position),
        "action": "accept",
        "actor_id": "w-1",
        "actor_role": "grid_worker",
        "from_state": "assigned",
        "to_state": "accepted",
        "note": "on my way\nwith a van",
        "evidence": [],
        "at": AT,
        "committed_at": AT,
        "state": "accepted",
        "category": "environment.rubbish",
        "priority": "normal",
        "tier": "grid",
        "grid_id": "g-1",
        "community_id": "c-1",
        "street_id": "s-1",
        "district_id": "d-1",
        "department_id": None,
        "unit_id": "g-1",
        "assignee_id": "w-1",
        "verifier_id": "gc-1",
        "resolve_by": AT,
        "close_by": AT,
    }


def event(position: int) -> StreamEvent:
    return StreamEvent.of(row(position))


class Log:
    """A stream of ``count`` committed events, read the way ``queries.stream_after`` reads it."""

    def __init__(self, count: int) -> None:
        self.events = [event(position) for position in range(1, count + 1)]
        self.limits: list[int] = []

    async def read(self, after: int, limit: int) -> tuple[list[StreamEvent], int]:
        self.limits.append(limit)
        found = [e for e in self.events if e.position > after][:limit]
        head = self.events[-1].position if self.events else 0
        return found, head if len(found) < limit else found[-1].position


@pytest.mark.parametrize(("text", "position"), [("0", 0), ("17", 17), (" 42 ", 42)])
def test_a_position_is_a_non_negative_integer(text, position):
    assert parse_position(text) == position


@pytest.mark.parametrize("text", ["-1", "1.5", "abc", "", "１２", "12a"])
def test_anything_else_is_not_a_position(text):
    with pytest.raises(BadPosition):
        parse_position(text)


def test_last_event_id_wins_over_the_after_parameter_because_a_reconnect_repeats_the_url():
    assert starting_position("12", "0") == 12
    assert starting_position(None, "0") == 0
    assert starting_position("", "5") == 5
    assert starting_position(None, None) is None


async def test_a_replay_longer_than_a_batch_comes_in_capped_batches_without_waiting():
    log = Log(23)
    events = follow(log.read, Wakeup(), after=0, batch_size=5, heartbeat_seconds=30)
    received = [await anext(events) for _ in range(23)]
    assert [e.position for e in received if e] == list(range(1, 24))
    assert log.limits == [5, 5, 5, 5, 5]
    await events.aclose()


async def test_a_reader_resumes_after_the_position_it_is_given():
    log = Log(10)
    events = follow(log.read, Wakeup(), after=7, batch_size=5, heartbeat_seconds=30)
    received = [await anext(events) for _ in range(3)]
    assert [e.position for e in received if e] == [8, 9, 10]
    await events.aclose()


async def test_an_idle_reader_yields_heartbeats_and_wakes_on_a_commit():
    log, wakeup = Log(2), Wakeup()
    events = follow(log.read, wakeup, after=2, batch_size=5, heartbeat_seconds=0.05)
    assert await anext(events) is None  # heartbeat: nothing new
    waiting = asyncio.ensure_future(anext(events))
    await asyncio.sleep(0.01)
    log.events.append(event(3))
    wakeup.wake_all()
    woken = await asyncio.wait_for(waiting, 1)
    assert woken is not None
    assert woken.position == 3
    await events.aclose()


async def test_a_commit_between_a_read_and_the_wait_is_not_missed():
    wakeup = Wakeup()
    waiter = wakeup.waiter()
    wakeup.wake_all()  # the notification lands before the reader starts waiting
    await asyncio.wait_for(waiter.wait(), 0.1)
    assert not wakeup.waiter().is_set(), "the next reader waits for the next commit"


def test_an_event_goes_on_the_wire_with_its_position_as_id_and_json_on_one_data_line():
    wire = encode(event(9)).decode()
    lines = wire.split("\n")
    assert lines[0].startswith('data: {"seq":9')
    assert lines[1:] == ["id: 9", "", ""]
    assert '"note":"on my way\\nwith a van"' in lines[0]
    assert '"case":{"state":"accepted"' in lines[0]


def test_a_heartbeat_is_a_comment_that_clients_ignore():
    assert encode(None) == b": heartbeat\n\n"


def test_the_watcher_prints_one_line_per_event_with_its_position_change_and_place():
    line = describe(json.loads(event(9).model_dump_json()))
    assert line.startswith("#9 2026-11-27T09:00:00 00000000 accept ")
    assert "w-1 (grid_worker) assigned → accepted environment.rubbish @g-1" in line
    assert line.endswith("«on my way»")
    assert "\n" not in line


# --- the stream a client opens --------------------------------------------------------------------

EVERYONE = Viewer(person_id="sv-1", role="supervisor", unit_id="city", city_wide=True)


class Rows:
    """The stream's table as ``CaseStream`` reads it (``ports.StreamRows``)."""

    def __init__(self, count: int) -> None:
        self.rows = [row(position) for position in range(1, count + 1)]

    async def head(self) -> int:
        return int(self.rows[-1]["position"]) if self.rows else 0

    async def after(
        self, *, viewer: Viewer, wanted: CaseFilter, position: int, limit: int
    ) -> tuple[list[Mapping[str, Any]], int]:
        after: list[Mapping[str, Any]] = [r for r in self.rows if r["position"] > position]
        found = after[:limit]
        return found, await self.head() if len(found) < limit else found[-1]["position"]


def a_stream(rows: Rows, wakeup: Wakeup | None = None) -> tuple[CaseStream, HandlingMetrics]:
    metrics = HandlingMetrics(ServiceMetrics("handling"))
    stream = CaseStream(
        rows, wakeup or Wakeup(), batch_size=5, heartbeat_seconds=30, clock=lambda: AT, metrics=metrics
    )
    return stream, metrics


def position_of(sent: bytes) -> int:
    return int(next(line for line in sent.decode().split("\n") if line.startswith("id: "))[4:])


async def test_a_stream_cannot_start_ahead_of_its_newest_event():
    stream, _ = a_stream(Rows(5))

    with pytest.raises(BadPosition, match="ahead of the stream"):
        await stream.open(viewer=EVERYONE, wanted=CaseFilter(), start=6, expires_at=None)


async def test_a_stream_from_a_position_replays_what_came_after_it():
    stream, _ = a_stream(Rows(5))
    sent = await stream.open(viewer=EVERYONE, wanted=CaseFilter(), start=3, expires_at=None)

    assert (await anext(sent)).startswith(b": case stream\nretry: 3000")
    assert await anext(sent) == b"id: 3\n\n"  # where it starts, with no data: not an event
    assert [position_of(await anext(sent)) for _ in range(2)] == [4, 5]
    await sent.aclose()


async def test_a_stream_without_a_start_sends_only_what_commits_after_it_opened():
    rows, wakeup = Rows(5), Wakeup()
    stream, _ = a_stream(rows, wakeup)
    sent = await stream.open(viewer=EVERYONE, wanted=CaseFilter(), start=None, expires_at=None)
    await anext(sent)
    assert await anext(sent) == b"id: 5\n\n", "the newest position, for a reconnect before any event"

    waiting = asyncio.ensure_future(anext(sent))
    await asyncio.sleep(0.01)
    rows.rows.append(row(6))
    wakeup.wake_all()

    assert position_of(await asyncio.wait_for(waiting, 1)) == 6
    await sent.aclose()


async def test_a_stream_ends_once_the_callers_token_has_expired():
    stream, _ = a_stream(Rows(5))
    sent = await stream.open(viewer=EVERYONE, wanted=CaseFilter(), start=0, expires_at=AT)

    received = [item async for item in sent]

    assert received[1] == b"id: 0\n\n"
    assert position_of(received[2]) == 1
    assert received[3:] == [b": token expired\n\n"]


async def test_the_metrics_count_open_streams_and_the_events_they_sent():
    stream, metrics = a_stream(Rows(5))
    sent = await stream.open(viewer=EVERYONE, wanted=CaseFilter(), start=2, expires_at=AT)
    await anext(sent)

    assert metrics.stream_clients._value.get() == 1
    assert [position_of(item) for item in [item async for item in sent][:2]] == [2, 3]
    assert metrics.stream_events_sent._value.get() == 1
    assert metrics.stream_clients._value.get() == 0
