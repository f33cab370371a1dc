"""city/handling.yaml: the sample city's file loads, and a wrong one is refused naming file and record."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from services.handling.config import HANDLING_FILE, build_policy, load_policy
from services.handling.domain import RequestKind
from shared.city import CityDataError, load_city
from shared.settings import REPO_ROOT
from shared.worktime import Clock

CITY_DIR = REPO_ROOT / "city"
WALL = Clock(None)


@pytest.fixture(scope="module")
def city() -> Any:
    return load_city(CITY_DIR)


@pytest.fixture
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CITY_DIR / HANDLING_FILE).read_text(encoding="utf-8"))
    return loaded


def test_the_sample_citys_policy_loads_with_its_limits_and_approvers(city):
    policy = load_policy(CITY_DIR, city=city, clock=WALL)
    assert policy.version == "2026.1"
    assert (policy.extension_max_count, str(policy.extension_max_length)) == (3, "P3D")
    assert policy.approver_roles(RequestKind.EXTENSION, "community") == ("street_officer",)
    assert policy.approver_roles(RequestKind.RETURN, "street") == ("operator",)
    assert policy.closing_standards["safety.gas_leak"][0] == "supply shut off"
    assert policy.filing_standards["safety.gas_leak"][0] == "location confirmed on site"
    assert policy.tier_above("street") == "district"
    assert policy.tier_above("district") is None


def test_a_city_without_the_file_gets_the_defaults(city, tmp_path):
    policy = load_policy(tmp_path, city=city, clock=WALL)
    assert policy.version == "default"
    assert policy.clock is WALL


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["extensions"]["approvers"].update(hamlet=["operator"]),
            "extensions.approvers unknown tier 'hamlet'",
        ),
        (
            lambda d: d["extensions"]["approvers"].pop("street"),
            "extensions.approvers nobody may approve at the street tier",
        ),
        (lambda d: d["voids"].update(approvers=["mayor"]), "voids.approvers.grid unknown role 'mayor'"),
        (
            lambda d: d["returns"].update(within="one day"),
            "returns.within 'one day' is not an ISO-8601 duration",
        ),
        (lambda d: d["escalation"].update(up_to="province"), "escalation.up_to unknown tier 'province'"),
        (
            lambda d: d["closing_standards"].append({"category": "no.such", "standards": ["x"]}),
            "closing_standards category 'no.such' is not in the category catalogue",
        ),
        (lambda d: d.update(surprise=1), "surprise Extra inputs are not permitted"),
        (
            lambda d: d["filing_standards"].append(dict(d["filing_standards"][0])),
            "filing_standards category 'safety.gas_leak' is listed more than once",
        ),
    ],
)
def test_a_wrong_policy_is_refused_naming_the_file_and_the_record(city, document, change, message):
    change(document)
    with pytest.raises(CityDataError) as refused:
        build_policy(document, "city/handling.yaml", city=city, clock=WALL)
    assert f"city/handling.yaml: {message}" in str(refused.value)
