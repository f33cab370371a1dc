"""Address words → community: for reports that give an address but no coordinates.

The gazetteer lists, per community, the names people use for it (aliases such as 毓龙社区, 毓龙) and the
roads in it, a road optionally limited to a range of house numbers where it runs through several
communities. An address names the community of the longest term it contains; a road section counts only
when the address gives a house number in its range. A tie between communities, or no term at all, gives
None: the report goes to manual triage rather than to a guessed community. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from typing import Annotated, Any

from pydantic import Field, PrivateAttr, StringConstraints, model_validator

from shared.city.records import Id, Record

# Two characters at least: a single character (路, 区) would match half the addresses in a city.
Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]
_IGNORED = re.compile(r"[\s,，.。、·\-—()（）]+")
_HOUSE_NUMBER = re.compile(r"(\d+)")  # match(text, pos) anchors at pos


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), case folded, spaces and punctuation dropped."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())


class RoadSection(Record):
    """A road, or the part of it with house numbers ``first``..``last`` (inclusive)."""

    name: Term
    numbers: tuple[int, int] | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_name(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _range_in_order(self) -> RoadSection:
        if self.numbers is not None and not 0 <= self.numbers[0] <= self.numbers[1]:
            raise ValueError(f"numbers {list(self.numbers)} is not a range first..last of house numbers")
        return self

    def takes(self, number: int | None) -> bool:
        if self.numbers is None:
            return True
        return number is not None and self.numbers[0] <= number <= self.numbers[1]


class GazetteerEntry(Record):
    community_id: Id
    aliases: tuple[Term, ...] = ()
    roads: tuple[RoadSection, ...] = ()


class Gazetteer(Record):
    communities: tuple[GazetteerEntry, ...] = Field(default=())

    # first two normalised characters -> (term, community_id, the road section or None for an alias)
    _index: dict[str, list[tuple[str, str, RoadSection | None]]] | None = PrivateAttr(default=None)

    def community_for(self, address: str) -> str | None:
        """The community an address names, or None when it names none or several equally well."""
        text = normalise(address)
        best_length, best = 0, set[str]()
        index = self._terms()
        for start in range(len(text) - 1):
            for term, community_id, road in index.get(text[start : start + 2], ()):
                if not text.startswith(term, start) or len(term) < best_length:
                    continue
                if road is not None and not road.takes(_house_number(text, start + len(term))):
                    continue
                if len(term) > best_length:
                    best_length, best = len(term), set()
                best.add(community_id)
        return next(iter(best)) if len(best) == 1 else None

    def _terms(self) -> dict[str, list[tuple[str, str, RoadSection | None]]]:
        if self._index is None:
            index: defaultdict[str, list[tuple[str, str, RoadSection | None]]] = defaultdict(list)
            for entry in self.communities:
                for alias in entry.aliases:
                    term = normalise(alias)
                    index[term[:2]].append((term, entry.community_id, None))
                for road in entry.roads:
                    term = normalise(road.name)
                    index[term[:2]].append((term, entry.community_id, road))
            self._index = dict(index)
        return self._index


def _house_number(text: str, after: int) -> int | None:
    found = _HOUSE_NUMBER.match(text, after) if after < len(text) else None
    return int(found.group(1)) if found else None
