"""An in-memory ``OffsetPort``: a consumer group of one, with positions, ends, seeks and commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from faust.types import TP


class FakeOffsetPort:
    def __init__(self, held: set[TP], committed: Mapping[TP, int] | None = None, earliest: int = 0) -> None:
        self.held = set(held)
        self.group_offsets: dict[TP, int] = dict(committed or {})
        self.log_start = earliest
        self.positions: dict[TP, int] = {}
        self.highwaters: dict[TP, int] = {}  # the end of each partition, as the consumer last fetched it
        self.seeks: list[tuple[TP, int]] = []
        self.commits: list[dict[TP, int]] = []
        self.refuse_commits = False
        self.refuse_seeks = False  # revoked between reading the assignment and seeking

    async def committed(self, tps: Sequence[TP]) -> Mapping[TP, int | None]:
        return {tp: self.group_offsets.get(tp) for tp in tps}

    async def earliest(self, tps: Sequence[TP]) -> Mapping[TP, int]:
        return dict.fromkeys(tps, self.log_start)

    async def position(self, tp: TP) -> int | None:
        return self.positions.get(tp)

    def highwater(self, tp: TP) -> int | None:
        return self.highwaters.get(tp)

    async def seek(self, tp: TP, offset: int) -> bool:
        if tp not in self.held or self.refuse_seeks:
            return False
        self.seeks.append((tp, offset))
        self.positions[tp] = offset
        return True

    async def commit(self, offsets: Mapping[TP, int]) -> bool:
        if self.refuse_commits:
            return False
        self.commits.append(dict(offsets))
        self.group_offsets.update(offsets)
        return True

    def assignment(self) -> set[TP]:
        return set(self.held)
