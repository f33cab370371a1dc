"""The city's handling rules as plain data: limits, caps, who approves what, supervision and escalation.

Loaded from ``city/handling.yaml`` by ``services.handling.config`` (which validates it and names the
file and record at fault); the lifecycle's guards only read it. Durations are ``shared.worktime`` limits
counted on ``clock`` (working time on the work calendar, or the wall clock in demo time).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from services.handling.domain.model import RequestKind
from shared.worktime import Clock, Limit

TIERS: tuple[str, ...] = ("grid", "community", "street", "district")
# The role that holds a case at each tier when it is escalated there (department cases: the
# department's handler; see ``routing.py``).
ROLES = (
    "grid_worker",
    "grid_chief",
    "community_officer",
    "street_officer",
    "operator",
    "supervisor",
    "department_handler",
)

Approvers = Mapping[str, tuple[str, ...]]  # tier of the case -> roles that may approve


@dataclass(frozen=True)
class Escalation:
    """Automatic escalation: ``after`` past the handling deadline (red), one tier up, while ``up_to``
    has not been reached. Manual escalation by the holder is always possible below the top tier."""

    automatic: bool = True
    after: timedelta = timedelta(0)
    up_to: str = "district"


@dataclass(frozen=True)
class HandlingPolicy:
    version: str = "default"
    return_within: Limit = field(default_factory=lambda: Limit.parse("P1D"))
    extension_max_count: int = 3
    extension_max_length: Limit = field(default_factory=lambda: Limit.parse("P3D"))
    deferral_max_length: Limit = field(default_factory=lambda: Limit.parse("P30D"))
    approvers: Mapping[RequestKind, Approvers] = field(default_factory=dict)
    # Who may call the reporter back, and who (besides the case's verifier) may verify and close.
    callback_roles: tuple[str, ...] = ("operator", "supervisor")
    verifier_roles: tuple[str, ...] = ("supervisor",)
    remind_before: Limit = field(default_factory=lambda: Limit.parse("PT2H"))
    escalation: Escalation = field(default_factory=Escalation)
    consultation_tiers: tuple[str, ...] = ("street", "district")
    convener_roles: tuple[str, ...] = ("street_officer", "operator")
    # Per category, the standards a closer must tick before a case may close, and those an operator
    # must tick before filing a case that waited for manual triage (dispatch files the others).
    closing_standards: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    filing_standards: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    clock: Clock = field(default_factory=lambda: Clock(None))

    def approver_roles(self, kind: RequestKind, tier: str) -> tuple[str, ...]:
        return self.approvers.get(kind, {}).get(tier, ())

    def tier_above(self, tier: str) -> str | None:
        """The next tier up, or None at (or above) the policy's top."""
        if tier not in TIERS or TIERS.index(tier) >= TIERS.index(self.escalation.up_to):
            return None
        return TIERS[TIERS.index(tier) + 1]


DEFAULT_POLICY = HandlingPolicy(
    approvers={
        RequestKind.RETURN: dict.fromkeys(TIERS, ("operator",)),
        RequestKind.EXTENSION: {
            "grid": ("grid_chief", "community_officer"),
            "community": ("street_officer",),
            "street": ("operator",),
            "district": ("operator", "supervisor"),
        },
        RequestKind.DEFERRAL: dict.fromkeys(TIERS, ("operator", "supervisor")),
        RequestKind.VOID: dict.fromkeys(TIERS, ("operator", "supervisor")),
        RequestKind.APPEAL: dict.fromkeys(TIERS, ("supervisor",)),
    }
)
