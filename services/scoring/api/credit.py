"""Reporter credit: the vanguard index ranking of volunteer reporters, and each person's volunteer
service hours in a year against the annual target. Computed on read from the stored counters
(``domain/vanguard.py``), so a change of the vanguard rules shows at once."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query

from services.scoring.api.deps import Context, Seen
from services.scoring.domain import InvalidPeriod, Subject, parse_period
from services.scoring.domain.indicators import percentage
from services.scoring.domain.vanguard import hours, service_year, shared_ranks, vanguard_index
from services.scoring.schemas import VanguardEntry, VanguardRanking, VolunteerHours, VolunteerYear

router = APIRouter(prefix="/v1", tags=["reporter credit"])


@router.get("/vanguard", response_model=VanguardRanking)
async def vanguard(
    ctx: Context, seen: Seen, period: Annotated[str, Query(description="YYYY-MM, YYYY-Qn or YYYY")]
) -> VanguardRanking:
    """Volunteer reporters (the rules' kinds, e.g. delivery riders) by vanguard index (先锋指数), best first:
    points for valid reports plus points for service hours (when the reporter also serves as a person of
    the city's registry under the same id). Equal indexes share a rank. Reporters belong to no unit: only
    city-wide staff see them."""
    when, rules = parse_period(period), ctx.vanguard
    async with ctx.pool.acquire() as conn:
        reporters = await ctx.queries.reporters(conn, period=when, source_types=rules.reporter_source_types)
        reporters = [r for r in reporters if seen.sees(r.subject)]
        ids = [r.subject.subject_id.split(":", 1)[1] for r in reporters]
        minutes = await ctx.queries.service_minutes(conn, period=when, person_ids=ids)
    entries = []
    for result, reporter_id in zip(reporters, ids, strict=True):
        served, counters = minutes.get(reporter_id, 0), result.counters
        entries.append(
            VanguardEntry(
                rank=0,
                reporter=result.subject.subject_id,
                source_type=result.subject.subject_id.split(":", 1)[0],
                reporter_id=reporter_id,
                reports=counters.reports,
                valid_reports=counters.valid_reports,
                valid_report_rate=percentage(counters.valid_reports, counters.reports),
                service_hours=hours(served),
                vanguard_index=vanguard_index(counters.valid_reports, served, rules),
            )
        )
    entries.sort(key=lambda e: (-Decimal(e.vanguard_index), e.reporter))
    ranks = shared_ranks([entry.vanguard_index for entry in entries])
    ranked = [entry.model_copy(update={"rank": rank}) for entry, rank in zip(entries, ranks, strict=True)]
    return VanguardRanking(period=str(when), rules_version=rules.version, items=ranked)


@router.get("/volunteer-hours", response_model=VolunteerHours)
async def volunteer_hours(
    ctx: Context, seen: Seen, year: Annotated[str, Query(description="YYYY", pattern=r"^\d{4}$")]
) -> VolunteerHours:
    """Every grid worker's volunteer service hours in a year against the annual target (24 hours):
    the service tasks they handled and saw closed. People of the registry with none are listed at 0.
    Only the grid workers in your jurisdiction."""
    when = parse_period(year)
    if when.kind != "year":
        raise InvalidPeriod(f"year must be written YYYY, not {year!r}")
    async with ctx.pool.acquire() as conn:
        minutes = await ctx.queries.service_minutes(conn, period=when)
    people = sorted(p for p in set(minutes) | set(ctx.grid_workers) if seen.sees(Subject("grid_worker", p)))
    items = []
    for person_id in people:
        served = service_year(minutes.get(person_id, 0), ctx.vanguard)
        items.append(
            VolunteerYear(
                person_id=person_id,
                name=ctx.names.get(person_id),
                service_hours=served.hours,
                target_hours=served.target_hours,
                met=served.met,
                shortfall_hours=served.shortfall_hours,
            )
        )
    items.sort(key=lambda item: (-Decimal(item.service_hours), item.person_id))
    return VolunteerHours(year=str(when), rules_version=ctx.vanguard.version, items=items)
