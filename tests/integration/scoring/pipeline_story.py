"""The month and a half of cases that ``test_scoring_pipeline.py`` checks: two grid workers in two grids,
a reassignment held back until all else is counted, a case outside every grid, and the figures each
subject must end with."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from shared.events import Envelope, Event
from shared.events.assessments import AssessmentUpdated
from shared.events.dead_letters import DeadLetterRecorded
from shared.topics import ASSESSMENTS, DEAD_LETTERS
from tests.builders import at, case_accepted
from tests.integration.scoring.cases import CaseStory
from tests.integration.scoring.conftest import CaseEventProducer, RunningScoring, until, until_equal
from tools.tail import TopicTail

Key = tuple[str, str, str]  # subject type, subject id, period


@dataclass
class Cast:
    li: str
    zhao: str
    officer: str
    grid_a: str
    grid_b: str


@dataclass
class Scenario:
    cast: Cast
    stories: dict[str, CaseStory]
    expected: dict[Key, tuple[int, int, int, str | None, str | None]]
    assessments: list[Envelope]
    dead_letters: list[Envelope]


def write_stories(cast: Cast) -> dict[str, CaseStory]:
    li, zhao, a, b = cast.li, cast.zhao, cast.grid_a, cast.grid_b
    return {
        # Li, grid A, November: on time, late, late into December, on time after a rework.
        "c1": CaseStory(a, at("2026-11-20T09:00"))
        .opened()
        .assigned(li)
        .handled_and_closed(at("2026-11-12T02:00")),
        "c2": CaseStory(a, at("2026-11-18T09:00"))
        .opened()
        .assigned(li)
        .handled_and_closed(at("2026-11-25T02:00")),
        "c3": CaseStory(a, at("2026-11-28T09:00"))
        .opened()
        .assigned(li)
        .handled_and_closed(at("2026-12-02T02:00")),
        "c7": (
            CaseStory(a, at("2026-11-20T09:00"))
            .opened()
            .assigned(li)
            .accepted()
            .resolved()
            .failed_verification()
            .resolved()
            .verified()
            .closed(at("2026-11-15T08:00"))
        ),
        # Grid B: first given to Li, reassigned to Zhao, still open at the end of November.
        "c4": CaseStory(b, at("2026-11-26T09:00")).opened().assigned(li).assigned(zhao).accepted(),
        # Zhao, grid B, December: closed at 01:00 on 1 December Shanghai time (still 30 November in UTC),
        # another closed at the very minute of its deadline (on time), a third still open.
        "c5": CaseStory(b, at("2026-12-05T00:00"))
        .opened()
        .assigned(zhao)
        .handled_and_closed(at("2026-11-30T17:00")),
        "c8": CaseStory(b, at("2026-12-10T09:00"))
        .opened()
        .assigned(zhao)
        .handled_and_closed(at("2026-12-10T09:00")),
        "c9": CaseStory(b, at("2026-12-20T09:00")).opened().assigned(zhao).accepted(),
        # Outside every grid, handled by a community officer: counts for no grid and no grid worker.
        "c6": (
            CaseStory(None, at("2026-11-20T09:00"))
            .opened()
            .assigned(cast.officer, role="community_officer")
            .handled_and_closed(at("2026-11-19T09:00"))
        ),
    }


def expectations(cast: Cast) -> dict[Key, tuple[int, int, int, str | None, str | None]]:
    return {
        ("grid_worker", cast.li, "2026-11"): (4, 3, 2, "75.00", "50.00"),
        ("grid_worker", cast.li, "2026-12"): (1, 1, 0, "100.00", "0.00"),
        ("grid_worker", cast.zhao, "2026-11"): (1, 0, 0, "0.00", "0.00"),
        ("grid_worker", cast.zhao, "2026-12"): (3, 2, 2, "66.67", "66.67"),
        ("grid", cast.grid_a, "2026-11"): (4, 3, 2, "75.00", "50.00"),
        ("grid", cast.grid_a, "2026-12"): (1, 1, 0, "100.00", "0.00"),
        ("grid", cast.grid_b, "2026-11"): (1, 0, 0, "0.00", "0.00"),
        ("grid", cast.grid_b, "2026-12"): (3, 2, 2, "66.67", "66.67"),
    }


async def send_twice(case_events: CaseEventProducer, events: list[tuple[str, Event]]) -> None:
    """Each event twice in a row, as a redelivery after a lost acknowledgement would bring it."""
    for step, event in events:
        await case_events.send(event, step)
        await case_events.send(event, step)


def interleaved(stories: dict[str, CaseStory], held_back: dict[str, int]) -> tuple[list[Any], list[Any]]:
    """Step i of every case before step i+1 of any; the last ``held_back[name]`` events of a case apart."""
    early = {
        name: story.events[: len(story.events) - held_back.get(name, 0)] for name, story in stories.items()
    }
    late = [event for name, story in stories.items() for event in story.events[len(early[name]) :]]
    longest = max(map(len, early.values()))
    order = [events[i] for i in range(longest) for events in early.values() if i < len(events)]
    return order, late


def observed(scoring_result: dict[str, Any]) -> tuple[int, int, int, str | None, str | None]:
    counters = scoring_result["counters"]
    return (
        counters["due_to_close"],
        counters["closed"],
        counters["closed_on_time"],
        scoring_result["closure_rate"],
        scoring_result["on_time_closure_rate"],
    )


async def api_results(scoring: RunningScoring, keys: list[Key]) -> dict[Key, Any]:
    results = {}
    for subject_type, subject_id, period in keys:
        response = await scoring.http.get(
            f"/v1/assessments/{subject_type}/{subject_id}", params={"period": period}
        )
        results[(subject_type, subject_id, period)] = (
            observed(response.json()) if response.status_code == 200 else None
        )
    return results


def latest_updates(envelopes: list[Envelope]) -> dict[Key, tuple[int, int, int, str | None, str | None]]:
    latest: dict[Key, tuple[int, int, int, str | None, str | None]] = {}
    for envelope in envelopes:
        update = envelope.data
        assert isinstance(update, AssessmentUpdated)
        if update.period_kind == "month":
            latest[(update.subject_type, update.subject_id, update.period)] = observed(update.model_dump())
    return latest


@asynccontextmanager
async def played(
    scoring: RunningScoring,
    case_events: CaseEventProducer,
    kafka_bootstrap: str,
    unique: str,
    case_topic: str,
) -> AsyncIterator[Scenario]:
    """The story sent (every event twice, garbage and a stray event among them) and consumed: the
    scenario once the API and the published updates show the expected figures."""
    cast = Cast(
        li=f"w-li-{unique}",
        zhao=f"w-zhao-{unique}",
        officer=f"co-chen-{unique}",
        grid_a=f"g-a-{unique}",
        grid_b=f"g-b-{unique}",
    )
    stories, expected = write_stories(cast), expectations(cast)
    assessments, dead_letters = (
        TopicTail(kafka_bootstrap, ASSESSMENTS.name),
        TopicTail(kafka_bootstrap, DEAD_LETTERS.name),
    )
    await assessments.start()
    await dead_letters.start()
    try:
        await case_events.send_raw(b"{not a cloudevent", headers=[("ce_type", b"garbage")])
        await case_events.send(
            case_accepted(
                now=at("2026-11-11T00:00"),
                actor_id=cast.li,
                holder_id=cast.li,
                close_by=at("2026-11-20T09:00"),
            ),
            "accepted-of-a-case-never-opened",
        )
        # c4's reassignment from Li to Zhao comes once all else is counted, so only recounting Li's
        # November on the reassignment itself can take c4 out of it.
        first, reassignment = interleaved(stories, held_back={"c4": 2})
        await send_twice(case_events, first)
        li_november = ("grid_worker", cast.li, "2026-11")
        await until_equal(
            lambda: api_results(scoring, [li_november]),
            {li_november: (5, 3, 2, "60.00", "40.00")},
            within=60,
            what="Li's November to count c4 before its reassignment",
        )
        await send_twice(case_events, reassignment)
        await until_equal(
            lambda: api_results(scoring, list(expected)),
            expected,
            within=60,
            what="the API to show the expected counters for every subject",
        )
        ours = {cast.li, cast.zhao, cast.officer, cast.grid_a, cast.grid_b}
        updates = await _updates_until_final(assessments, ours, expected)
        letters = await dead_letters.collect(
            lambda e: isinstance(e.data, DeadLetterRecorded) and e.data.original_topic == case_topic,
            2,
            within=20,
        )
        yield Scenario(cast, stories, expected, updates, letters)
    finally:
        await assessments.stop()
        await dead_letters.stop()


async def _updates_until_final(tail: TopicTail, ours: set[str], expected: dict[Key, Any]) -> list[Envelope]:
    seen: list[Envelope] = []

    async def more() -> bool:
        seen.extend(
            await tail.collect(
                lambda e: isinstance(e.data, AssessmentUpdated) and e.data.subject_id in ours,
                10_000,
                within=1,
            )
        )
        return latest_updates(seen) == expected

    await until(more, within=60, what="the last assessment update of every subject to match")
    return seen
