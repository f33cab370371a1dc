"""The one error a city configuration can raise, naming the file and the record at fault."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the city files: where it is, and what is wrong with it."""

    file: str
    record: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.record} " if self.record else ""
        return f"{self.file}: {where}{self.problem}"


class CityDataError(ValueError):
    """The city files are invalid. Every problem found names its file and record.

    The message is one problem per line, e.g.
    ``city/people.yaml: person 'w-x' serves unknown unit 'g-99'``.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))
