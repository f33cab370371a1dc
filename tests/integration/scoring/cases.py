"""Realistic case histories as the case-events topic carries them, for scoring's integration tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from shared.events import Event
from shared.events.cases import (
    CaseAccepted,
    CaseActed,
    CaseAssigned,
    CaseClosed,
    CaseOpened,
    CaseResolved,
    CaseVerificationFailed,
    CaseVerified,
)
from shared.events.reports import GeoPoint


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class CaseStory:
    """One case's events in order, each with the step name its event id derives from."""

    grid_id: str | None
    close_by: datetime
    case_id: UUID = field(default_factory=uuid4)
    events: list[tuple[str, Event]] = field(default_factory=list)
    holder: str | None = None
    clock: datetime | None = None

    def _tick(self) -> datetime:
        self.clock = (self.clock or self.close_by - timedelta(days=5)) + timedelta(minutes=10)
        return self.clock

    def opened(self) -> CaseStory:
        self.events.append(
            (
                "opened",
                CaseOpened(
                    case_id=self.case_id,
                    occurred_at=self._tick(),
                    report_id=uuid4(),
                    category="environment.rubbish",
                    nature="event",
                    priority="normal",
                    tier="grid",
                    location=GeoPoint(lon=120.16, lat=33.35),
                    description="Rubbish piling up by the east gate",
                    grid_id=self.grid_id,
                    community_id=None,
                    street_id=None,
                    district_id=None,
                    department_id=None,
                    source_type="resident",
                    reporter_id="resident-1",
                    app_id="app-residents",
                    resolve_by=self.close_by,
                    close_by=self.close_by,
                ),
            )
        )
        return self

    def assigned(self, assignee: str, role: str = "grid_worker") -> CaseStory:
        self.holder = assignee
        step = f"assigned-{len(self.events)}"
        self.events.append(
            (
                step,
                CaseAssigned(
                    case_id=self.case_id,
                    occurred_at=self._tick(),
                    assignee_id=assignee,
                    assignee_role=role,
                    tier="grid",
                    unit_id=self.grid_id or "community-x",
                    verifier_id="chief-wang",
                    grid_id=self.grid_id,
                    resolve_by=self.close_by,
                    close_by=self.close_by,
                ),
            )
        )
        return self

    def _acted(self, kind: type[CaseActed], step: str, **extra: object) -> CaseStory:
        assert self.holder is not None
        self.events.append(
            (
                f"{step}-{len(self.events)}",
                kind(
                    case_id=self.case_id,
                    occurred_at=self._tick(),
                    actor_id=self.holder,
                    actor_role="grid_worker",
                    holder_id=self.holder,
                    close_by=self.close_by,
                    **extra,
                ),
            )
        )
        return self

    def accepted(self) -> CaseStory:
        return self._acted(CaseAccepted, "accepted")

    def resolved(self) -> CaseStory:
        return self._acted(CaseResolved, "resolved")

    def verified(self) -> CaseStory:
        return self._acted(CaseVerified, "verified")

    def failed_verification(self) -> CaseStory:
        return self._acted(CaseVerificationFailed, "verification-failed", rework_of="resolution-1")

    def closed(self, when: datetime) -> CaseStory:
        assert self.holder is not None
        self.events.append(
            (
                "closed",
                CaseClosed(
                    case_id=self.case_id,
                    occurred_at=when,
                    actor_id="chief-wang",
                    actor_role="grid_chief",
                    holder_id=self.holder,
                    close_by=self.close_by,
                ),
            )
        )
        return self

    def handled_and_closed(self, when: datetime) -> CaseStory:
        return self.accepted().resolved().verified().closed(when)
