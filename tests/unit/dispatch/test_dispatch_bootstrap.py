"""The composition root wires the worker without connecting: its agents on the prefixed topics, the triage
table and the three pages; the triage rules come from the settings' file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.dispatch.bootstrap import bootstrap
from services.dispatch.config import TriageRulesError
from services.dispatch.settings import DispatchSettings
from tests.unit.dispatch.conftest import CITY


def settings(tmp_path: Path, **overrides: object) -> DispatchSettings:
    # Port 1 has no broker: building the app must not need one.
    fields: dict[str, object] = {
        "kafka_bootstrap": "127.0.0.1:1",
        "run_dir": tmp_path,
        "topic_prefix": "unit.",
        "group_id": "gridloop-dispatch-unit",
    }
    return DispatchSettings(**{**fields, **overrides})  # type: ignore[arg-type]


def test_bootstrap_wires_the_agents_on_prefixed_topics_the_table_and_the_pages(tmp_path: Path) -> None:
    app = bootstrap(settings(tmp_path), city=CITY)

    topics = {name: sorted(agent.channel.topics) for name, agent in app.agents.items()}
    assert topics == {
        "dispatch-reports": ["unit.gridloop.reports"],
        "dispatch-closures-fan-out": ["unit.gridloop.case-events"],
        "dispatch-closures": ["unit.gridloop.dispatch-closures"],
    }
    assert list(app.tables) == ["open-cases"]
    web_app = app.web.web_app  # type: ignore[attr-defined]  # faust's aiohttp driver
    routes = {(route.method, route.resource.canonical) for route in web_app.router.routes()}
    assert {path for method, path in routes if method == "GET"} == {"/healthz", "/readyz", "/metrics"}
    assert (tmp_path / "dispatch" / "gridloop-dispatch-unit").is_dir()


def test_bootstrap_reads_the_triage_rules_from_the_settings_file(tmp_path: Path) -> None:
    bad = tmp_path / "triage.yaml"
    bad.write_text("merge: {rules: {no.such_category: {radius_m: 50, window: PT1H}}}\n", encoding="utf-8")

    with pytest.raises(TriageRulesError, match=re.escape(f"{bad}: ") + ".*names no category"):
        bootstrap(settings(tmp_path, triage_file=bad), city=CITY)
