"""What scoring knows about one case: the slice of its history that assessment needs.

A case fact holds where the case is, who held it from when (tenures), its deadlines, when it was handled
and closed, its reworks; the extensions, deferrals and returns asked for (``Request``, against who asked),
the callbacks (``Callback``, against whom they name), an approved timeout appeal (``lateness_exempt``) and
an approved void (``voided_at``); and the reports credited to their reporters (``reports``): the report
that opened the case and every duplicate merged into it. How each event changes it is
``transitions.py``; a voided report, never a case, is a fact of its own (``reports.VoidedReport``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict


class UnknownCase(Exception):
    """An event about a case that was never opened here: it can never be applied."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Tenure(_Frozen):
    """Someone held the case from ``since`` until the next tenure began."""

    since: AwareDatetime
    holder_id: str
    # Known when scoring saw the assignment; None when a later event named a holder it did not see
    # assigned (the role is then unknown, not absent).
    role: str | None = None
    unit_id: str | None = None


class Rework(_Frozen):
    """A resolution failed verification at ``at``; it counts against whoever resolved it."""

    at: AwareDatetime
    against: Tenure


class Request(_Frozen):
    """An extension, deferral or return someone asked for (counted against who asked)."""

    kind: Literal["extensions", "deferrals", "returns"]
    at: AwareDatetime
    by: Tenure


class Callback(_Frozen):
    at: AwareDatetime
    satisfied: bool
    against: Tenure


class ReportCredit(_Frozen):
    """A report that opened the case or joined it as a duplicate: it credits its reporter."""

    report_id: UUID
    source_type: str
    reporter_id: str
    at: AwareDatetime


class CaseFact(_Frozen):
    case_id: UUID
    grid_id: str | None
    community_id: str | None = None
    street_id: str | None = None
    district_id: str | None = None
    tenures: tuple[Tenure, ...] = ()
    resolve_by: AwareDatetime
    close_by: AwareDatetime
    # The standing resolution: cleared when verification fails, set again by the reworked resolution.
    resolved_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    reworks: tuple[Rework, ...] = ()
    requests: tuple[Request, ...] = ()
    callbacks: tuple[Callback, ...] = ()
    # An approved timeout appeal (超时申诉) exempts the case from lateness.
    lateness_exempt: bool = False
    # The latest instant scoring knows has passed for this case: its events' times, and the deadline
    # sweep's clock. A handling deadline before it, with no resolution, is overdue.
    clock: AwareDatetime
    category: str | None = None
    reports: tuple[ReportCredit, ...] = ()
    # Volunteer service the case is worth once closed (a service task in the city's vanguard rules).
    service_minutes: int = 0
    # An approved void (作废) ended the case: it counts for nobody, and its reports were not valid.
    voided_at: AwareDatetime | None = None

    @property
    def fact_id(self) -> UUID:
        return self.case_id

    @property
    def holder(self) -> Tenure | None:
        return self.tenures[-1] if self.tenures else None

    @property
    def holder_id(self) -> str | None:
        return self.tenures[-1].holder_id if self.tenures else None


def with_service(fact: CaseFact, minutes: int) -> CaseFact:
    """The fact worth ``minutes`` of volunteer service once closed (from the city's vanguard rules)."""
    return fact if fact.service_minutes == minutes else fact.model_copy(update={"service_minutes": minutes})


def advance_clock(fact: CaseFact, now: datetime) -> CaseFact:
    """The deadline sweep: time has passed without an event (a handling deadline may have gone by)."""
    return fact if now <= fact.clock else fact.model_copy(update={"clock": now})


def with_ancestry(fact: CaseFact, community_id: str, street_id: str, district_id: str) -> CaseFact:
    """The fact placed in its grid's community, street and district (from the city's org tree)."""
    return fact.model_copy(
        update={"community_id": community_id, "street_id": street_id, "district_id": district_id}
    )


def holder_at(fact: CaseFact, instant: datetime) -> Tenure | None:
    """Who held the case at ``instant``: the last tenure begun by then. Before the first assignment,
    the first holder (a deadline cannot pass before dispatch assigns the case)."""
    held = None
    for tenure in fact.tenures:
        if tenure.since <= instant:
            held = tenure
    return held or (fact.tenures[0] if fact.tenures else None)
