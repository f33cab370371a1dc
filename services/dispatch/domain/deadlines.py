"""When a case must be resolved and closed, counted from the moment it is dispatched.

Foundation rule: the category's limits on the wall clock (``P1D`` = 24 hours). The working-day calendar
and the category × tier × stage time-limit matrix replace `deadlines_for` later; callers keep calling it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.city import Category, iso_duration


@dataclass(frozen=True)
class Deadlines:
    resolve_by: datetime
    close_by: datetime


def deadlines_for(category: Category, *, dispatched_at: datetime, sla_scale: float = 1.0) -> Deadlines:
    """Deadlines for a case of ``category`` dispatched at ``dispatched_at``.

    ``sla_scale`` divides every limit: 1.0 in production; a demo or an end-to-end test sets e.g. 3600 to
    make a day pass in 24 seconds.
    """
    if not sla_scale > 0:
        raise ValueError(f"sla_scale must be greater than zero, got {sla_scale}")
    return Deadlines(
        resolve_by=dispatched_at + iso_duration(category.resolve_within) / sla_scale,
        close_by=dispatched_at + iso_duration(category.close_within) / sla_scale,
    )
