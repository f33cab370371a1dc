"""Closing a period: its results become final and are published once more, marked final.

A period closes ``GRIDLOOP_SCORING_PERIOD_GRACE_DAYS`` (default 5) after it ends on the city's clock: late
closures, reworks and appeals of its cases still count in the meantime. Closing copies the period's results
into ``final_results`` (what a bulletin prints and pay follows) and publishes every one of them as an
``AssessmentUpdated`` with ``final: true`` (id derived from subject, period and rubric version: one final
result per subject and period, whatever instance closes it). The deadline sweep runs first, so a deadline
that passed before the close counts. Figures that still change afterwards (a case of the period closed very
late) move the live results and are published as ordinary updates; the final ones stay as they were.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from services.scoring.domain import parse_period
from services.scoring.domain.periods import due_to_close
from services.scoring.ports import Clock, utc_now
from services.scoring.publisher import assessment_record
from services.scoring.repository import stored_result
from services.scoring.sweep import DeadlineSweep, every
from shared.events import derived_id
from shared.outbox import enqueue_many

log = logging.getLogger(__name__)


class PeriodCloser:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        schema: str,
        timezone: ZoneInfo,
        grace: timedelta,
        sweep: DeadlineSweep,
        interval_seconds: float,
        clock: Clock = utc_now,
    ) -> None:
        self._pool = pool
        self._s = f'"{schema}"'
        self._schema = schema
        self._tz = timezone
        self._grace = grace
        self._sweep = sweep
        self._interval = interval_seconds
        self._clock = clock

    async def run(self) -> None:
        await every(self._interval, self.once, "closing periods", self._clock)

    async def once(self, now: datetime) -> list[str]:
        """Close every period with results whose grace has passed by ``now``; the periods closed."""
        async with self._pool.acquire() as conn:
            open_periods = await conn.fetch(
                f"""select distinct period from {self._s}.assessment_results r
                    where not exists (select 1 from {self._s}.period_closings c where c.period = r.period)"""
            )
        due = due_to_close((row["period"] for row in open_periods), now, self._tz, self._grace)
        if not due:
            return []
        await self._sweep.once(now)
        return [period for period in due if await self._close(period, now)]

    async def _close(self, period: str, now: datetime) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            claimed = await conn.fetchval(
                f"""insert into {self._s}.period_closings (period, period_kind, closed_at, results)
                    values ($1, $2, $3, 0) on conflict do nothing returning true""",
                period,
                parse_period(period).kind,
                now,
            )
            if not claimed:
                return False  # another instance closed it
            rows = await conn.fetch(
                f"""insert into {self._s}.final_results
                    select * from {self._s}.assessment_results where period = $1 returning *""",
                period,
            )
            await conn.execute(
                f"update {self._s}.period_closings set results = $2 where period = $1", period, len(rows)
            )
            records = []
            for row in rows:
                result = stored_result(row)
                event_id = derived_id(
                    "assessment-final", *str(result.subject).split(":", 1), period, result.rubric_version
                )
                records.append(assessment_record(result, event_id=event_id, final=True))
            await enqueue_many(conn, self._schema, records)
        log.info("period closed", extra={"period": period, "results": len(rows)})
        return True
