"""Case stories for scoring's integration tests: one case's events in order (built by ``tests/builders``),
each with the step its event id derives from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from shared.events import Event
from shared.events.cases import CaseAccepted, CaseActed, CaseResolved, CaseVerificationFailed, CaseVerified
from tests.builders import case_acted, case_assigned, case_closed, case_opened


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
        opening = case_opened(
            now=self._tick(),
            case_id=self.case_id,
            grid_id=self.grid_id,
            community_id=None,
            street_id=None,
            district_id=None,
            reporter_id="resident-1",
            resolve_by=self.close_by,
            close_by=self.close_by,
        )
        self.events.append(("opened", opening))
        return self

    def assigned(self, assignee: str, role: str = "grid_worker") -> CaseStory:
        self.holder = assignee
        step = f"assigned-{len(self.events)}"
        assignment = case_assigned(
            now=self._tick(),
            case_id=self.case_id,
            assignee_id=assignee,
            assignee_role=role,
            unit_id=self.grid_id or "community-x",
            verifier_id="chief-wang",
            grid_id=self.grid_id,
            resolve_by=self.close_by,
            close_by=self.close_by,
        )
        self.events.append((step, assignment))
        return self

    def _acted(self, kind: type[CaseActed], step: str, **extra: object) -> CaseStory:
        assert self.holder is not None
        event = case_acted(
            kind,
            now=self._tick(),
            case_id=self.case_id,
            actor_id=self.holder,
            holder_id=self.holder,
            close_by=self.close_by,
            **extra,
        )
        self.events.append((f"{step}-{len(self.events)}", event))
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
        closing = case_closed(
            now=when,
            case_id=self.case_id,
            actor_id="chief-wang",
            holder_id=self.holder,
            close_by=self.close_by,
        )
        self.events.append(("closed", closing))
        return self

    def handled_and_closed(self, when: datetime) -> CaseStory:
        return self.accepted().resolved().verified().closed(when)
