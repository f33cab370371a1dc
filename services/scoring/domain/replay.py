"""Facts rebuilt from the case-event topic read from the beginning: the from-scratch side of a recompute.

Events go through the same ``fold`` as the incremental consumer, deduplicated by (source, id) like its
inbox, and an event about a case never opened is skipped as the consumer dead-letters it. The order that
matters is each case's own, which its partition keeps (case events are keyed by case id). The deadline
sweep is time passing: ``facts_as_of`` advances every case's clock to the instant of the recompute.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from uuid import UUID

from services.scoring.domain.facts import CaseFact, UnknownCase, advance_clock
from services.scoring.domain.folding import CityRules, fold
from services.scoring.domain.reports import VoidedReport, fact_id
from shared.events import Event
from shared.events.cases import CaseEvent
from shared.events.triage import ReportVoided

Fact = CaseFact | VoidedReport


class Replay:
    def __init__(self, rules: CityRules, *, keep_ids: bool = False) -> None:
        self._rules = rules
        # The (source, id) of every event, when the recompute must record them in the inbox.
        self.ids: list[tuple[str, str]] | None = [] if keep_ids else None
        self.facts: dict[UUID, Fact] = {}
        # Hashes of (source, id): 64 bits each keeps a million events' dedupe set small; the odds of
        # two ids colliding among a million are about 3 in 100 million.
        self._seen: set[int] = set()
        self.events = 0
        self.duplicates = 0
        self.poison = 0

    def add(self, source: str, event_id: str, event: Event) -> bool:
        """Fold one event; False when it was a duplicate, poison or not about a case."""
        mark = hash((source, event_id))
        if mark in self._seen:
            self.duplicates += 1
            return False
        self._seen.add(mark)
        self.events += 1
        if self.ids is not None:
            self.ids.append((source, event_id))
        if not isinstance(event, CaseEvent | ReportVoided):
            return False
        key = fact_id(event)
        try:
            self.facts[key] = fold(self.facts.get(key), event, self._rules)
        except UnknownCase:
            self.poison += 1
            return False
        return True

    def facts_as_of(self, now: datetime) -> Iterator[Fact]:
        for fact in self.facts.values():
            yield advance_clock(fact, now) if isinstance(fact, CaseFact) else fact
