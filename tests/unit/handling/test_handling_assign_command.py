"""Dispatch's ``CaseAssigned`` becomes handling's ``Assign`` in one place, carrying every field they share."""

from __future__ import annotations

import uuid
from datetime import timedelta

from services.handling.domain.commands import Assign
from shared.events.cases import CaseAssigned
from tests.builders import case_assigned
from tests.unit.handling.conftest import NOW


def test_an_assign_command_carries_everything_the_event_and_the_command_share() -> None:
    assigned = case_assigned(now=NOW, accept_by=NOW + timedelta(hours=1))
    event_id = uuid.uuid4()

    command = Assign.of(assigned, event_id=event_id)

    shared = (set(Assign.model_fields) & set(CaseAssigned.model_fields)) - {"note"}
    assert shared >= {"assignee_id", "verifier_id", "resolve_by", "accept_by", "yellow_at", "red_at"}
    assert {name: getattr(command, name) for name in shared} == {
        name: getattr(assigned, name) for name in shared
    }
    assert command.event_id == event_id
