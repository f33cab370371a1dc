"""Handling's rule file: ``city/handling.yaml`` read into a ``HandlingPolicy``, checked against the city
at load, and the clock its durations count on.

A missing file means the built-in defaults (``DEFAULT_POLICY``). A file that is present but wrong is
refused with ``CityDataError``, one line per problem naming the file and the record, like every other
city file: ``city/handling.yaml: extensions.approvers field 'hamlet': unknown tier``.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from services.handling.domain.model import RequestKind
from services.handling.domain.policy import DEFAULT_POLICY, ROLES, TIERS, Escalation, HandlingPolicy
from services.handling.settings import HandlingSettings
from shared.city import City, CityDataError, Problem
from shared.worktime import Clock, Limit, load_worktime

HANDLING_FILE = "handling.yaml"


def _limit(text: str) -> str:
    Limit.parse(text)
    return text


LimitText = Annotated[str, AfterValidator(_limit)]


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# Roles per tier of the case, or one list for every tier.
ApproverText = dict[str, list[str]] | list[str]


class _Approved(_Entry):
    approvers: ApproverText


class _Returns(_Approved):
    within: LimitText = "P1D"


class _Extensions(_Approved):
    max_count: int = Field(default=3, ge=0, le=20)
    max_length: LimitText = "P3D"


class _Deferrals(_Approved):
    max_length: LimitText = "P30D"


class _Supervision(_Entry):
    remind_before: LimitText = "PT2H"


class _Escalation(_Entry):
    automatic: bool = True
    # How long after the handling deadline (red) a case escalates by itself; none: at red.
    after_red: LimitText | None = None
    up_to: str = "district"


class _Consultation(_Entry):
    tiers: list[str] = Field(default_factory=lambda: ["street", "district"])
    conveners: list[str] = Field(default_factory=lambda: ["street_officer", "operator"])


class _ClosingStandard(_Entry):
    category: str
    standards: list[str] = Field(min_length=1)


class HandlingFile(_Entry):
    version: str = Field(min_length=1)
    returns: _Returns
    extensions: _Extensions
    deferrals: _Deferrals
    voids: _Approved
    appeals: _Approved
    verifier_roles: list[str] = Field(default_factory=lambda: ["supervisor"])
    callback_roles: list[str] = Field(default_factory=lambda: ["operator", "supervisor"])
    supervision: _Supervision = Field(default_factory=_Supervision)
    escalation: _Escalation = Field(default_factory=_Escalation)
    consultation: _Consultation = Field(default_factory=_Consultation)
    closing_standards: list[_ClosingStandard] = Field(default_factory=list)
    filing_standards: list[_ClosingStandard] = Field(default_factory=list)


def policy_clock(settings: HandlingSettings, city: City) -> Clock:
    """Working time on the city's calendar; in demo time (scale ≠ 1) a compressed wall clock."""
    if settings.sla_scale != 1:
        return Clock(None, scale=settings.sla_scale)
    return Clock(load_worktime(settings.city_dir, city=city).calendar)


def load_policy(path: str | os.PathLike[str], *, city: City, clock: Clock) -> HandlingPolicy:
    """The policy in directory ``path`` (``handling.yaml``), or the defaults when there is none."""
    file = Path(path) / HANDLING_FILE
    if not file.exists():
        return _with_clock(DEFAULT_POLICY, clock)
    try:
        document = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CityDataError([Problem(str(file), "", f"cannot be read: {error}")]) from None
    return build_policy(document, str(file), city=city, clock=clock)


def build_policy(document: Any, file: str, *, city: City, clock: Clock) -> HandlingPolicy:
    try:
        parsed = HandlingFile.model_validate(document)
    except ValidationError as error:
        raise CityDataError([_problem(file, detail) for detail in error.errors()]) from None
    problems: list[Problem] = []
    approvers = {
        kind: _approvers(getattr(parsed, section).approvers, file, section, problems)
        for kind, section in (
            (RequestKind.RETURN, "returns"),
            (RequestKind.EXTENSION, "extensions"),
            (RequestKind.DEFERRAL, "deferrals"),
            (RequestKind.VOID, "voids"),
            (RequestKind.APPEAL, "appeals"),
        )
    }
    for record, names in (
        ("verifier_roles", parsed.verifier_roles),
        ("callback_roles", parsed.callback_roles),
        ("consultation.conveners", parsed.consultation.conveners),
    ):
        problems += _unknown_roles(names, file, record)
    for record, tiers in (
        ("escalation.up_to", [parsed.escalation.up_to]),
        ("consultation.tiers", parsed.consultation.tiers),
    ):
        problems += [
            Problem(file, record, f"unknown tier {t!r} (tiers: {', '.join(TIERS)})")
            for t in tiers
            if t not in TIERS
        ]
    codes = {category.code for category in city.categories}
    for section in ("closing_standards", "filing_standards"):
        seen: set[str] = set()
        for entry in getattr(parsed, section):
            record = f"{section} category {entry.category!r}"
            if entry.category not in codes:
                problems.append(Problem(file, record, "is not in the category catalogue"))
            if entry.category in seen:
                problems.append(Problem(file, record, "is listed more than once"))
            seen.add(entry.category)
    if problems:
        raise CityDataError(problems)
    after = parsed.escalation.after_red
    return HandlingPolicy(
        version=parsed.version,
        return_within=Limit.parse(parsed.returns.within),
        extension_max_count=parsed.extensions.max_count,
        extension_max_length=Limit.parse(parsed.extensions.max_length),
        deferral_max_length=Limit.parse(parsed.deferrals.max_length),
        approvers=approvers,
        callback_roles=tuple(parsed.callback_roles),
        verifier_roles=tuple(parsed.verifier_roles),
        remind_before=Limit.parse(parsed.supervision.remind_before),
        escalation=Escalation(
            automatic=parsed.escalation.automatic,
            after=clock.length(Limit.parse(after)) if after else Escalation().after,
            up_to=parsed.escalation.up_to,
        ),
        consultation_tiers=tuple(parsed.consultation.tiers),
        convener_roles=tuple(parsed.consultation.conveners),
        closing_standards={e.category: tuple(e.standards) for e in parsed.closing_standards},
        filing_standards={e.category: tuple(e.standards) for e in parsed.filing_standards},
        clock=clock,
    )


def _approvers(
    text: ApproverText, file: str, section: str, problems: list[Problem]
) -> dict[str, tuple[str, ...]]:
    record = f"{section}.approvers"
    per_tier = dict.fromkeys(TIERS, text) if isinstance(text, list) else text
    for tier in per_tier:
        if tier not in TIERS:
            problems.append(Problem(file, record, f"unknown tier {tier!r} (tiers: {', '.join(TIERS)})"))
    for tier in TIERS:
        if not per_tier.get(tier):
            problems.append(Problem(file, record, f"nobody may approve at the {tier} tier"))
    for tier, names in per_tier.items():
        problems += _unknown_roles(names, file, f"{record}.{tier}")
    return {tier: tuple(names) for tier, names in per_tier.items() if tier in TIERS}


def _unknown_roles(names: list[str], file: str, record: str) -> list[Problem]:
    return [
        Problem(file, record, f"unknown role {n!r} (roles: {', '.join(ROLES)})")
        for n in names
        if n not in ROLES
    ]


def _problem(file: str, detail: Any) -> Problem:
    where = ".".join(str(part) for part in detail["loc"])
    return Problem(file, where, str(detail["msg"]).removeprefix("Value error, "))


def _with_clock(policy: HandlingPolicy, clock: Clock) -> HandlingPolicy:
    return replace(policy, clock=clock)
