"""Read ``calendar.yaml`` and ``time_limits.yaml`` from the city directory into a calendar and a matrix.

A missing file means the defaults (the national calendar with 08:30–12:00 and 14:00–17:30 in the city's
time zone; every limit from the category catalogue and the built-in stage defaults), so that a generated
city for benchmarks needs neither. A file that is present but wrong is refused with ``CityDataError``,
one line per problem, naming the file and the record, as the rest of the city's files are.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from shared.city import City, CityDataError, Problem
from shared.worktime.limits import Limit
from shared.worktime.matrix import (
    DEFAULT_STAGE_LIMITS,
    Stage,
    Thresholds,
    TimeLimitMatrix,
    WallClockRule,
)
from shared.worktime.schema import (
    CalendarFile,
    Days,
    ThresholdsEntry,
    TimeLimitsFile,
    period_times,
)
from shared.worktime.workcalendar import DayRules, WorkCalendar, WorkingHours
from shared.worktime.worktime import WorkTime

log = logging.getLogger("gridloop.worktime")

CALENDAR_FILE, TIME_LIMITS_FILE = "calendar.yaml", "time_limits.yaml"
M = TypeVar("M", bound=BaseModel)


def load_worktime(path: str | os.PathLike[str], *, city: City) -> WorkTime:
    """The work calendar and matrix in directory ``path``, checked against ``city``."""
    directory = Path(path)
    calendar_doc = _read(directory / CALENDAR_FILE)
    limits_doc = _read(directory / TIME_LIMITS_FILE)
    calendar = build_calendar(calendar_doc or {}, str(directory / CALENDAR_FILE), city=city)
    matrix = build_matrix(limits_doc or {}, str(directory / TIME_LIMITS_FILE), city=city, calendar=calendar)
    return WorkTime(calendar, matrix)


def build_calendar(document: Any, file: str, *, city: City) -> WorkCalendar:
    """The calendar from the decoded ``calendar.yaml``. Pure apart from the library's compiled data."""
    parsed = _validate(CalendarFile, document, file)
    problems: list[Problem] = []
    known_districts = {district.district_id for district in city.districts}
    for entry in parsed.districts:
        if entry.district_id not in known_districts:
            problems.append(Problem(file, f"district {entry.district_id!r}", "is not a district of the city"))
    years = [entry.year for entry in parsed.years]
    problems += [
        Problem(file, f"year {year}", "is listed more than once")
        for year in sorted(set(years))
        if years.count(year) > 1
    ]
    try:
        hours = WorkingHours(
            tuple(period_times(text) for text in parsed.working_hours), parsed.timezone or city.timezone
        )
    except (ValueError, KeyError) as error:
        problems.append(Problem(file, "working_hours", str(error)))
    _raise_if_any(problems)
    return WorkCalendar.national(
        hours,
        years={entry.year: _rules(entry) for entry in parsed.years},
        districts={entry.district_id: _rules(entry) for entry in parsed.districts},
    )


def build_matrix(document: Any, file: str, *, city: City, calendar: WorkCalendar) -> TimeLimitMatrix:
    """The matrix from the decoded ``time_limits.yaml``, every cell checked against the catalogue."""
    parsed = _validate(TimeLimitsFile, document, file)
    problems: list[Problem] = []
    thresholds = _thresholds(parsed.thresholds, Thresholds(), file, "thresholds", problems)
    stage_defaults = dict(DEFAULT_STAGE_LIMITS)
    for stage in ("accept", "verify"):
        for priority, text in getattr(parsed.stage_defaults, stage):
            if text is not None:
                stage_defaults[(stage, priority)] = Limit.parse(text)
    cells: dict[tuple[str, Any, Stage], Limit] = {}
    category_thresholds: dict[str, Thresholds] = {}
    seen: set[str] = set()
    codes = {category.code for category in city.categories}
    for entry in parsed.categories:
        record = f"category {entry.category!r}"
        if entry.category in seen:
            problems.append(Problem(file, record, "is listed more than once"))
        seen.add(entry.category)
        if entry.category not in codes:
            problems.append(Problem(file, record, "is not in the category catalogue"))
            continue
        if entry.thresholds is not None:
            category_thresholds[entry.category] = _thresholds(
                entry.thresholds, thresholds, file, record, problems
            )
        for tier, stages in entry.limits:
            for stage, text in stages or ():
                if text is not None:
                    cells[(entry.category, tier, stage)] = Limit.parse(text)
    matrix = TimeLimitMatrix(
        cells=cells,
        stage_defaults=stage_defaults,
        thresholds=thresholds,
        category_thresholds=category_thresholds,
        wall_clock=WallClockRule(frozenset(parsed.wall_clock.priorities), parsed.wall_clock.minute_limits),
    )
    problems += _close_after_handle(matrix, city, file, calendar)
    _raise_if_any(problems)
    return matrix


def _close_after_handle(
    matrix: TimeLimitMatrix, city: City, file: str, calendar: WorkCalendar
) -> list[Problem]:
    """A case cannot be due to close before it is due to be resolved (where the two compare)."""
    problems = []
    tiers = sorted({tier for _, tier, _ in matrix.cells})
    for category in city.categories:
        for tier in tiers:
            handle, close = matrix.limit(category, tier, "handle"), matrix.limit(category, tier, "close")
            same_kind = matrix.runs_on_wall_clock(category, handle) == matrix.runs_on_wall_clock(
                category, close
            )
            day = calendar.hours.working_day
            if same_kind and close.comparable_length(day) < handle.comparable_length(day):
                problems.append(
                    Problem(
                        file,
                        f"category {category.code!r}",
                        f"{tier}: close {close} is shorter than handle {handle}",
                    )
                )
    return problems


def _thresholds(
    entry: ThresholdsEntry, base: Thresholds, file: str, record: str, problems: list[Problem]
) -> Thresholds:
    try:
        return Thresholds(
            yellow=entry.yellow if entry.yellow is not None else base.yellow,
            red=entry.red if entry.red is not None else base.red,
        )
    except ValueError as error:
        problems.append(Problem(file, record, str(error)))
        return base


def _rules(days: Days) -> DayRules:
    return DayRules(frozenset(days.holidays), frozenset(days.working_days))


def _read(path: Path) -> Any:
    if not path.exists():
        log.info("no %s: using the defaults", path.name, extra={"file": str(path)})
        return None
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CityDataError([Problem(str(path), "", f"cannot be read: {error.strerror or error}")]) from None
    except yaml.YAMLError as error:
        raise CityDataError([Problem(str(path), "", f"is not valid YAML: {error}")]) from None


def _validate(schema: type[M], document: Any, file: str) -> M:
    try:
        return schema.model_validate(document)
    except ValidationError as error:
        raise CityDataError([_problem(file, document, detail) for detail in error.errors()]) from None


def _problem(file: str, document: Any, detail: Any) -> Problem:
    """A schema error named by its record: ``year 2027``, ``district 'd-x'``, ``category 'a.b'``."""
    location = tuple(detail["loc"])
    record, rest = "", location
    node = document
    for depth, key in enumerate(location):
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(key, int):
            record, rest = (
                _record_name(node, location[depth - 1] if depth else "", key),
                location[depth + 1 :],
            )
    field = ".".join(str(part) for part in rest)
    message = str(detail["msg"]).removeprefix("Value error, ")
    return Problem(file, record, f"field {field!r}: {message}" if field else message)


def _record_name(node: dict[str, Any], list_key: Any, index: int) -> str:
    for key, kind in (("year", "year"), ("district_id", "district"), ("category", "category")):
        value = node.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return f"{kind} {value!r}" if isinstance(value, str) else f"{kind} {value}"
    return f"{list_key} #{index + 1}"


def _raise_if_any(problems: list[Problem]) -> None:
    if problems:
        raise CityDataError(problems)


__all__ = ["CALENDAR_FILE", "TIME_LIMITS_FILE", "WorkTime", "build_calendar", "build_matrix", "load_worktime"]
