"""One event folded into the fact it changes, with what scoring takes from the city's data.

The incremental consumer and the recompute from the topic both fold events through ``fold``, so the two
paths cannot drift apart: the same events in the same per-case order give the same facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from services.scoring.domain.facts import CaseFact, with_ancestry, with_service
from services.scoring.domain.reports import VoidedReport, apply
from shared.events.cases import CaseEvent
from shared.events.triage import ReportVoided

# grid id → (community, street, district) from the city's org tree, or None for a grid it lacks.
Ancestry = Callable[[str], tuple[str, str, str] | None]


def _nowhere(grid_id: str) -> tuple[str, str, str] | None:
    return None


@dataclass(frozen=True)
class CityRules:
    """What a fact takes from the city: a hand-triaged grid's places, a service task's volunteer minutes."""

    ancestry: Ancestry = _nowhere
    # category → volunteer minutes a closed case of it is worth (vanguard rules' service tasks)
    service_minutes: Mapping[str, int] = field(default_factory=dict)

    def enrich(self, fact: CaseFact) -> CaseFact:
        if fact.grid_id is not None and fact.community_id is None:
            # A case triaged into a grid by hand lies in that grid's community, street and district.
            found = self.ancestry(fact.grid_id)
            if found is not None:
                fact = with_ancestry(fact, *found)
        return with_service(fact, self.service_minutes.get(fact.category or "", 0))


def fold(
    fact: CaseFact | VoidedReport | None, event: CaseEvent | ReportVoided, rules: CityRules
) -> CaseFact | VoidedReport:
    after = apply(fact, event)
    return rules.enrich(after) if isinstance(after, CaseFact) else after
