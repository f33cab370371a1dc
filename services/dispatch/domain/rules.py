"""The city's triage rules as data (``city/triage.yaml``): priority raising, duplicate merge, voiding.

Pure: the models, their checks against the category catalogue, and the functions that apply them to one
report. Loading the file is ``services.dispatch.config``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shared.city import Category, iso_duration
from shared.events.cases import Priority
from shared.events.reports import ReportSubmitted, SourceType
from shared.events.triage import VoidReason

CategoryOrGroup = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)?$")]
Word = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class _Rules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _duration(text: str) -> str:
    try:
        length = iso_duration(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO-8601 duration such as PT24H or P7D") from None
    if length <= timedelta(0):
        raise ValueError(f"duration {text!r} must be longer than zero")
    return text


class RaiseToUrgent(_Rules):
    """Raise a report to urgent when every condition given holds (an absent condition always holds)."""

    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    source_types: tuple[SourceType, ...] | None = None
    urgent_flag: bool | None = None
    categories: tuple[CategoryOrGroup, ...] | None = None
    words: tuple[Word, ...] | None = None

    def holds_for(self, report: ReportSubmitted, category: str) -> bool:
        if self.source_types is not None and report.source_type not in self.source_types:
            return False
        if self.urgent_flag is not None and report.urgent != self.urgent_flag:
            return False
        if self.categories is not None and not _in_any(category, self.categories):
            return False
        return self.words is None or _contains_any(report.description, self.words)


class PriorityRules(_Rules):
    raise_to_urgent: tuple[RaiseToUrgent, ...] = ()


class MergeRule(_Rules):
    radius_m: float = Field(ge=1, le=5_000)
    window: str

    _check_window = field_validator("window")(_duration)

    @property
    def window_seconds(self) -> float:
        return iso_duration(self.window).total_seconds()


class MergeRules(_Rules):
    default: MergeRule | Literal["never"] = "never"
    rules: dict[CategoryOrGroup, MergeRule | Literal["never"]] = Field(default_factory=dict)
    outcome_retention: str = "P1D"

    _check_retention = field_validator("outcome_retention")(_duration)

    @field_validator("outcome_retention")
    @classmethod
    def _at_least_an_hour(cls, text: str) -> str:
        if iso_duration(text) < timedelta(hours=1):
            raise ValueError(f"outcome_retention {text} is shorter than an hour")
        return text

    def for_category(self, code: str) -> MergeRule | None:
        """The category's own rule, else its group's, else the default; None when it never merges."""
        group = code.split(".", 1)[0]
        rule = self.rules.get(code, self.rules.get(group, self.default))
        return None if rule == "never" else rule

    @property
    def outcome_retention_seconds(self) -> float:
        return iso_duration(self.outcome_retention).total_seconds()


class SpamRules(_Rules):
    max_reports_per_reporter_per_hour: int | None = Field(default=None, ge=1)
    exempt_source_types: tuple[SourceType, ...] = ()
    blocked_words: tuple[Word, ...] = ()


class VoidingRules(_Rules):
    spam: SpamRules = SpamRules()


class TriageRules(_Rules):
    priority: PriorityRules = PriorityRules()
    merge: MergeRules = MergeRules()
    voiding: VoidingRules = VoidingRules()

    def problems_with(self, categories: Iterable[Category]) -> list[tuple[str, str]]:
        """(record, problem) for every category or group the rules name that the catalogue lacks."""
        codes = {category.code for category in categories}
        known = codes | {code.split(".", 1)[0] for code in codes}
        problems = [
            (f"merge rule {name!r}", "names no category or group of the catalogue")
            for name in self.merge.rules
            if name not in known
        ]
        for rule in self.priority.raise_to_urgent:
            problems += [
                (f"priority rule {rule.name!r}", f"names unknown category or group {name!r}")
                for name in rule.categories or ()
                if name not in known
            ]
        return problems


# --- applying the rules to one report ----------------------------------------------------------------


def effective_priority(report: ReportSubmitted, category: Category, rules: PriorityRules) -> Priority:
    """The category's priority, raised to urgent when a rule holds for the report."""
    if category.priority == "urgent":
        return "urgent"
    return (
        "urgent"
        if any(rule.holds_for(report, category.code) for rule in rules.raise_to_urgent)
        else category.priority
    )


def scope_void(report: ReportSubmitted, category: Category | None) -> tuple[VoidReason, str] | None:
    """Why the report is out of scope, or None: unknown and inactive categories are voided."""
    if category is None:
        return "category_unknown", f"{report.category!r} is not in the city's catalogue"
    if not category.active:
        return "category_inactive", f"{category.code!r} is no longer handled by the city"
    return None


def spam_void(
    report: ReportSubmitted, rules: SpamRules, *, reports_in_last_hour: int
) -> tuple[VoidReason, str] | None:
    """Why the report is spam, or None. ``reports_in_last_hour``: the reporter's earlier reports."""
    folded = report.description.casefold()
    found = [word for word in rules.blocked_words if word.casefold() in folded]
    if found:
        return "blocked_words", f"the description contains blocked words: {', '.join(found)}"
    limit = rules.max_reports_per_reporter_per_hour
    exempt = report.source_type in rules.exempt_source_types
    if limit is not None and not exempt and reports_in_last_hour >= limit:
        return "too_many_reports", f"more than {limit} reports by {report.reporter_id} within an hour"
    return None


def _in_any(code: str, names: Iterable[str]) -> bool:
    group = code.split(".", 1)[0]
    return any(name in (code, group) for name in names)


def _contains_any(text: str, words: Iterable[str]) -> bool:
    folded = text.casefold()
    return any(word.casefold() in folded for word in words)
