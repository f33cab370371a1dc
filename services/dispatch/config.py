"""Read ``city/triage.yaml`` into ``TriageRules``, refusing a bad file with every problem named.

A problem names the file and the record: ``city/triage.yaml: merge.rules.dispute.x: names no category``.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import ValidationError

from services.dispatch.domain.rules import TriageRules
from shared.city import City


class TriageRulesError(ValueError):
    """The triage rules file is invalid; one line per problem, each naming the file and the record."""

    def __init__(self, file: str, problems: list[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{file}: {record}: {problem}" for record, problem in problems))


def load_triage(path: str | os.PathLike[str], city: City) -> TriageRules:
    file = str(path)
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise TriageRulesError(file, [("file", f"cannot be read: {exc.strerror or exc}")]) from None
    except yaml.YAMLError as exc:
        raise TriageRulesError(file, [("file", f"is not valid YAML: {exc}")]) from None
    return parse_triage(document, city, file=file)


def parse_triage(document: object, city: City, *, file: str = "triage.yaml") -> TriageRules:
    """The rules from a decoded document, checked against the city's catalogue. Pure."""
    try:
        rules = TriageRules.model_validate(document or {})
    except ValidationError as exc:
        problems = [
            (".".join(str(part) for part in error["loc"]) or "file", error["msg"]) for error in exc.errors()
        ]
        raise TriageRulesError(file, problems) from None
    problems = rules.problems_with(city.categories)
    if problems:
        raise TriageRulesError(file, problems)
    return rules
