"""Who holds which open case, as far as one partition of the reports topic knows: the workload that
least-loaded assignment weighs.

A case counts against the person dispatch assigned it to from the moment it is opened until its
``CaseClosed`` reaches the partition (closures are fanned out to every partition). Reports are keyed by
their H3 resolution-6 cell, so the partition that opened a case is the partition of its cell:

- a grid lying inside one cell (the usual case: a grid is a block, a cell ~3.7 km across) sends all its
  reports to one partition, and a grid worker serves one grid, so that partition counts **every** open
  case of the grid's workers: exact;
- a grid straddling several cells spreads its reports over their partitions (the same one only when the
  cells hash alike), and each partition counts only the cases it opened: each partition balances its own
  share, which balances the whole only on average. Officers and department handlers, who serve many cells,
  are balanced the same approximate way.

Cases handed on later (escalation, returns: handling's business) stay counted against the person dispatch
chose until they close. Pure; every change is a ``(key, value)`` pair for the partition's changelog.
"""

from __future__ import annotations

import sys
from uuid import UUID


class OpenCaseHolders:
    def __init__(self) -> None:
        self._holder: dict[UUID, str] = {}
        self._open: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._holder)

    def open_cases_of(self, person_id: str) -> int:
        """How many open cases, opened in this partition, the person holds."""
        return self._open.get(person_id, 0)

    def holder_of(self, case_id: UUID) -> str | None:
        return self._holder.get(case_id)

    def hold(self, case_id: UUID, person_id: str) -> None:
        """The case is open and held by ``person_id``. Idempotent; a new holder replaces the old."""
        self.release(case_id)
        person_id = sys.intern(person_id)  # a few thousand people share a million open cases
        self._holder[case_id] = person_id
        self._open[person_id] = self._open.get(person_id, 0) + 1

    def release(self, case_id: UUID) -> str | None:
        """The case closed: it counts against nobody. Returns who held it (None if nobody here did)."""
        person_id = self._holder.pop(case_id, None)
        if person_id is None:
            return None
        left = self._open[person_id] - 1
        if left:
            self._open[person_id] = left
        else:
            del self._open[person_id]
        return person_id
