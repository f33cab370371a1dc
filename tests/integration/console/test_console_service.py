"""The console as a service: health, readiness on its database, metrics, and the city's map data."""

from __future__ import annotations

from tests.integration.console.conftest import Console
from tests.integration.console.test_console_sessions import signed_in

CITY = "/api/console/v1/city"


async def test_healthz_readyz_and_metrics(console: Console):
    async with console.browser() as browser:
        assert (await browser.get("/api/console/healthz")).json() == {"status": "ok"}
        ready = await browser.get("/api/console/readyz")
        assert (ready.status_code, ready.json()["checks"]) == (200, {"database": True})
        metrics = (await browser.get("/api/console/metrics")).text
    for name in (
        "gridloop_console_sign_ins_total",
        "gridloop_console_sessions_refreshed_total",
        "gridloop_console_sessions_revoked_total",
        "gridloop_console_http_requests_total",
    ):
        assert f"# TYPE {name} counter" in metrics, name
    assert 'gridloop_console_sign_ins_total{outcome="slowed_down"} 0.0' in metrics


async def test_the_city_data_is_for_people_signed_in(console: Console):
    async with console.browser() as browser:
        for path in ("grids", "org", "red-map"):
            assert (await browser.get(f"{CITY}/{path}")).status_code == 401


async def test_the_grids_of_today_as_geojson_with_an_etag(console: Console):
    async with console.browser() as browser:
        await signed_in(console, browser, "so-tinghu-wenfeng-1")
        grids = await browser.get(f"{CITY}/grids")
        assert grids.status_code == 200
        assert grids.headers["content-type"] == "application/geo+json"
        assert len(grids.json()["features"]) == 20
        again = await browser.get(f"{CITY}/grids", headers={"If-None-Match": grids.headers["etag"]})
        assert (again.status_code, again.content) == (304, b"")
        org = (await browser.get(f"{CITY}/org")).json()
        assert [d["district_id"] for d in org["districts"]] == ["d-tinghu", "d-yandu"]
        red_map = (await browser.get(f"{CITY}/red-map")).json()
        assert len(red_map["places"]) == 23
        assert red_map["offers"]["microwave"]["name_zh"] == "微波炉加热"
