"""Dispatch's ``CaseAssigned`` becomes handling's ``Assign`` in one place, carrying every field they share."""

from __future__ import annotations

import uuid
from datetime import timedelta

from services.handling.domain.commands import Assign
from shared.events.cases import CaseAssigned
from tests.unit.handling.conftest import NOW


def test_an_assign_command_carries_everything_the_event_and_the_command_share() -> None:
    assigned = CaseAssigned(
        case_id=uuid.uuid4(),
        occurred_at=NOW,
        assignee_id="gw-01",
        assignee_role="grid_worker",
        tier="grid",
        unit_id="g-01",
        verifier_id="gc-01",
        grid_id="g-01",
        resolve_by=NOW + timedelta(days=1),
        close_by=NOW + timedelta(days=2),
        accept_by=NOW + timedelta(hours=1),
        yellow_at=NOW + timedelta(hours=20),
        red_at=NOW + timedelta(days=1),
    )
    event_id = uuid.uuid4()

    command = Assign.of(assigned, event_id=event_id)

    shared = (set(Assign.model_fields) & set(CaseAssigned.model_fields)) - {"note"}
    assert shared >= {"assignee_id", "verifier_id", "resolve_by", "accept_by", "yellow_at", "red_at"}
    assert {name: getattr(command, name) for name in shared} == {
        name: getattr(assigned, name) for name in shared
    }
    assert command.event_id == event_id
