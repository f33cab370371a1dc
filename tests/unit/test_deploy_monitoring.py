"""deploy/: Prometheus config and alerts (promtool), the Grafana dashboard, the Kubernetes manifests.

promtool comes from Debian's `prometheus` package, which `make unit` installs when it is missing
(scripts/promtool.sh). These tests fail, never skip, without it: an unchecked alert file is how alerts
silently stop working.

METRICS below is the contract between the services and ops: every name the dashboard or the alerts
query must be in it, and the dashboard shows all of it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
GRAFANA_DIR = ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA_DIR / "dashboards" / "gridloop-overview.json"
K8S_DIR = ROOT / "deploy" / "k8s"

# The services of the metrics contract and the overview dashboard. The console is deployed too (below);
# its sign-in metrics are listed in services/console/README.md and have no panel yet.
SERVICES = ("intake", "dispatch", "handling", "scoring")

# --- the metrics contract ----------------------------------------------------------------------------
# name -> (type, labels). Prometheus conventions: gridloop_<service>_..., base units, _total counters,
# _seconds histograms, bounded labels only.
COMMON_METRICS: dict[str, tuple[str, frozenset[str]]] = {
    "http_requests_total": ("counter", frozenset({"route", "method", "status"})),
    "http_request_duration_seconds": ("histogram", frozenset({"route", "method"})),
    "events_consumed_total": ("counter", frozenset({"topic", "outcome"})),
    "events_produced_total": ("counter", frozenset({"topic"})),
    "event_processing_seconds": ("histogram", frozenset({"topic"})),
    "consumer_lag_messages": ("gauge", frozenset({"topic"})),
}
SERVICE_METRICS: dict[str, dict[str, tuple[str, frozenset[str]]]] = {
    "intake": {
        "reports_accepted_total": ("counter", frozenset({"source_type"})),
        "reports_rejected_total": ("counter", frozenset({"reason"})),
        "kafka_ack_seconds": ("histogram", frozenset()),
    },
    "dispatch": {
        "cases_opened_total": ("counter", frozenset()),
        "reports_unlocated_total": ("counter", frozenset()),
    },
    "handling": {
        "open_cases": ("gauge", frozenset({"state"})),
        "overdue_cases": ("gauge", frozenset()),
        "outbox_pending_events": ("gauge", frozenset()),
        "stream_clients": ("gauge", frozenset()),
        "stream_events_sent_total": ("counter", frozenset()),
    },
    "scoring": {
        "outbox_pending_events": ("gauge", frozenset()),
        "results_updated_total": ("counter", frozenset()),
    },
}
METRICS: dict[str, tuple[str, frozenset[str]]] = {
    f"gridloop_{service}_{name}": spec
    for service in SERVICES
    for name, spec in {**COMMON_METRICS, **SERVICE_METRICS[service]}.items()
}
EVENT_OUTCOMES = {"processed", "duplicate", "ignored", "dead_lettered"}
# Labels every scraped series has besides its own: from the target and the scrape config.
TARGET_LABELS = {"job", "instance", "service"}

ALERTS = {
    "GridloopServiceDown",
    "GridloopIntakeHigh5xxRatio",
    "GridloopIntakeKafkaAckLatencyHigh",
    "GridloopConsumerLagGrowing",
    "GridloopDeadLettersAppearing",
    "GridloopOutboxBacklog",
    "GridloopOverdueCasesRising",
}

METRIC_NAME = re.compile(r"(?<![\w:])gridloop_[a-z0-9_]+(?![\w:])")
BY_CLAUSE = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")


def base_metric(name: str) -> str:
    """A histogram's _bucket/_sum/_count series belong to the histogram's name."""
    for suffix in ("_bucket", "_sum", "_count"):
        stem = name.removesuffix(suffix)
        if stem != name and METRICS.get(stem, ("",))[0] == "histogram":
            return stem
    return name


def metrics_in(expr: str) -> set[str]:
    return {base_metric(m) for m in METRIC_NAME.findall(expr)}


RECORDED_NAME = re.compile(r"(?<![\w:])[a-z_]+:[a-z0-9_:]+(?![\w:])")


def check_contract(expr: str, where: str, recorded: dict[str, set[str]] | None = None) -> list[str]:
    """Problems with one PromQL expression against METRICS (names, grouping labels, outcome values).

    `recorded` maps the recording rules an expression may use to the labels their series carry.
    """
    recorded = recorded or {}
    problems = []
    used = metrics_in(expr)
    unknown = used - METRICS.keys()
    if unknown:
        problems.append(f"{where}: {sorted(unknown)} not in the metrics contract")
    known = [m for m in used if m in METRICS]
    allowed = set(TARGET_LABELS) | {"le"}
    for m in known:
        allowed |= METRICS[m][1]
    for name in RECORDED_NAME.findall(expr):
        if name not in recorded:
            problems.append(f"{where}: uses {name}, which no recording rule in alerts.yml defines")
        else:
            allowed |= recorded[name]
    for clause in BY_CLAUSE.findall(expr):
        labels = {label.strip() for label in clause.split(",") if label.strip()}
        if labels - allowed:
            problems.append(f"{where}: groups by {sorted(labels - allowed)}, which {sorted(known)} lack")
    for outcome in re.findall(r'outcome\s*=~?\s*"([^"]+)"', expr):
        if not set(outcome.split("|")) <= EVENT_OUTCOMES:
            problems.append(f"{where}: outcome {outcome!r} is not one of {sorted(EVENT_OUTCOMES)}")
    return problems


# --- promtool ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail(
            "promtool not found on PATH. It checks deploy/prometheus; install it with "
            "`scripts/promtool.sh install` (as root: Debian's prometheus package), which `make unit` runs.",
            pytrace=False,
        )
    return path


def run_promtool(promtool: str, *args: str | Path, cwd: Path = PROMETHEUS_DIR) -> str:
    result = subprocess.run(
        [promtool, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"promtool {' '.join(map(str, args))} failed:\n{output}"
    return output


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus.local.yml"])
def test_promtool_check_config(promtool: str, config: str) -> None:
    output = run_promtool(promtool, "check", "config", config)
    assert "SUCCESS" in output


def test_promtool_check_rules(promtool: str) -> None:
    output = run_promtool(promtool, "check", "rules", "alerts.yml")
    assert "SUCCESS" in output


def test_promtool_alert_unit_tests(promtool: str) -> None:
    """alerts.test.yml: each alert fires on the series it is meant for, with its labels and text."""
    run_promtool(promtool, "test", "rules", "alerts.test.yml")
    tested = set(re.findall(r"alertname:\s*(\w+)", (PROMETHEUS_DIR / "alerts.test.yml").read_text()))
    assert tested >= ALERTS, f"alerts without a unit test: {sorted(ALERTS - tested)}"


def test_promtool_rejects_a_broken_rule(promtool: str, tmp_path: Path) -> None:
    """The checks above can fail: promtool catches a PromQL error in a rule file."""
    bad = tmp_path / "bad.yml"
    bad.write_text("groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: sum(rate(up[5m]) > 0\n")
    result = subprocess.run(
        [promtool, "check", "rules", str(bad)], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0


# --- alert rules -------------------------------------------------------------------------------------


def load_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_required_alerts_exist_and_are_complete() -> None:
    alerts = {rule["alert"]: rule for rule in load_rules() if "alert" in rule}
    assert set(alerts) >= ALERTS, f"missing alerts: {sorted(ALERTS - set(alerts))}"
    for name, rule in alerts.items():
        assert rule.get("for"), f"{name} has no `for:` (it would fire on a single bad scrape)"
        assert rule.get("labels", {}).get("severity") in {"critical", "warning"}, f"{name} severity"
        annotations = rule.get("annotations", {})
        assert annotations.get("summary"), f"{name} has no summary"
        assert annotations.get("description"), f"{name} has no description"


def test_rules_use_only_contract_metrics() -> None:
    rules = load_rules()
    # A recording rule's series keep the labels it aggregates by.
    recorded = {
        rule["record"]: {
            label.strip() for clause in BY_CLAUSE.findall(rule["expr"]) for label in clause.split(",")
        }
        for rule in rules
        if "record" in rule
    }
    problems = []
    for rule in rules:
        name = rule.get("alert") or rule["record"]
        problems += check_contract(rule["expr"], f"rule {name}", recorded)
    assert not problems, "\n".join(problems)


def test_config_files_load_the_alert_rules() -> None:
    for config in ("prometheus.yml", "prometheus.local.yml"):
        assert yaml.safe_load((PROMETHEUS_DIR / config).read_text())["rule_files"] == ["alerts.yml"], config


# --- Grafana -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return data


def all_panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    panels = []
    for panel in dashboard["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))
    return panels


def dashboard_queries(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (f"panel {panel['title']!r} {target['refId']}", target["expr"])
        for panel in all_panels(dashboard)
        for target in panel.get("targets", [])
    ]


def test_dashboard_queries_use_only_contract_metrics(dashboard: dict[str, Any]) -> None:
    queries = dashboard_queries(dashboard)
    assert len(queries) > 20
    problems = []
    for where, expr in queries:
        if not metrics_in(expr) and not re.search(r"\bup\{", expr):
            problems.append(f"{where}: queries no gridloop metric: {expr}")
        problems += check_contract(expr, where)
    assert not problems, "\n".join(problems)


def test_dashboard_shows_the_whole_contract(dashboard: dict[str, Any]) -> None:
    used = set().union(*(metrics_in(expr) for _, expr in dashboard_queries(dashboard)))
    assert not METRICS.keys() - used, f"metrics no panel shows: {sorted(METRICS.keys() - used)}"


def test_dashboard_queries_are_valid_promql(promtool: str, dashboard: dict[str, Any], tmp_path: Path) -> None:
    """promtool parses every query (as a recording rule; Grafana's $__rate_interval becomes 5m)."""
    rules = [
        {"record": f"dashboard:query_{i}", "expr": expr.replace("$__rate_interval", "5m")}
        for i, (_, expr) in enumerate(dashboard_queries(dashboard))
    ]
    (tmp_path / "dashboard.yml").write_text(
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]})
    )
    run_promtool(promtool, "check", "rules", "dashboard.yml", cwd=tmp_path)


def test_dashboard_structure(dashboard: dict[str, Any]) -> None:
    datasources = yaml.safe_load((GRAFANA_DIR / "provisioning/datasources/prometheus.yaml").read_text())
    uid = datasources["datasources"][0]["uid"]
    assert dashboard["uid"] == "gridloop-overview"
    panels = all_panels(dashboard)
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    titles = {p["title"] for p in panels}
    for wanted in ("Open cases by state", "Overdue cases", "Consumer lag by topic", "Outbox backlog"):
        assert wanted in titles
    for panel in panels:
        pos = panel["gridPos"]
        assert pos["x"] >= 0, panel["title"]
        assert pos["x"] + pos["w"] <= 24, f"{panel['title']} is wider than the dashboard"
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == uid, f"{panel['title']} uses another datasource"
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == uid


def test_grafana_provisioning_files_parse() -> None:
    files = sorted((GRAFANA_DIR / "provisioning").rglob("*.yaml"))
    assert len(files) == 2
    for file in files:
        data = yaml.safe_load(file.read_text())
        assert data["apiVersion"] == 1, file


# --- Kubernetes --------------------------------------------------------------------------------------


def k8s_documents() -> dict[str, list[dict[str, Any]]]:
    docs = {}
    for file in sorted(K8S_DIR.glob("*.yaml")):
        docs[file.name] = [d for d in yaml.safe_load_all(file.read_text()) if d is not None]
    return docs


def k8s_objects(kind: str) -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    docs = k8s_documents()
    return [d for f in kustomization["resources"] for d in docs[f] if d["kind"] == kind]


def test_k8s_manifests_parse_and_are_kubernetes_objects() -> None:
    docs = k8s_documents()
    assert "kustomization.yaml" in docs
    for name, items in docs.items():
        assert items, f"{name} is empty"
        for doc in items:
            assert {"apiVersion", "kind"} <= doc.keys(), f"{name}: a document without apiVersion/kind"
            if doc["kind"] != "Kustomization":
                assert doc["metadata"]["name"], name


def test_kustomization_lists_every_manifest_but_the_secret_example() -> None:
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    resources = kustomization["resources"]
    expected = {p.name for p in K8S_DIR.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert set(resources) == expected
    assert kustomization["namespace"] == "gridloop"


def test_kustomization_ships_the_whole_city() -> None:
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    (city,) = [g for g in kustomization["configMapGenerator"] if g["name"] == "gridloop-city"]
    listed = {(K8S_DIR / f).resolve() for f in city["files"]}
    # Every data file; the README documents them and stays out.
    present = {p.resolve() for p in (ROOT / "city").iterdir() if p.is_file() and p.suffix != ".md"}
    lacks = sorted(p.name for p in present - listed)
    gone = sorted(p.name for p in listed - present)
    assert listed == present, (
        f"deploy/k8s/kustomization.yaml's gridloop-city lacks {lacks}, lists missing {gone}"
    )


@pytest.mark.parametrize("name", [*SERVICES, "console"])
def test_k8s_deployment(name: str) -> None:
    (deployment,) = [d for d in k8s_objects("Deployment") if d["metadata"]["name"] == f"gridloop-{name}"]
    spec = deployment["spec"]
    assert spec["replicas"] >= 2, "nothing may assume one instance"
    template = spec["template"]
    assert spec["selector"]["matchLabels"].items() <= template["metadata"]["labels"].items()
    (container,) = template["spec"]["containers"]
    assert container["command"] == ["python", "-m", f"services.{name}"]
    (port,) = container["ports"]
    assert port["name"] == "http"
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    resources = container["resources"]
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= resources[kind].keys(), f"{name} {kind}"
    annotations = template["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(port["containerPort"])
    assert annotations["prometheus.io/path"] == "/metrics"
    env = {e["name"]: e for e in container["env"]}
    assert env[f"GRIDLOOP_{name.upper()}_PORT"]["value"] == str(port["containerPort"])
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert template["spec"]["securityContext"]["runAsNonRoot"] is True
    # Secrets come from the Secret, never inline.
    for secret in ("DATABASE_URL", "GRIDLOOP_HANDLING_JWT_SECRET"):
        if secret in env:
            assert env[secret]["valueFrom"]["secretKeyRef"]["name"] == "gridloop-secrets"


def test_k8s_ports_match_compose() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for deployment in k8s_objects("Deployment"):
        name = deployment["metadata"]["name"].removeprefix("gridloop-")
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        compose_port = int(compose["services"][name]["ports"][0].rsplit(":", 1)[1])
        assert container["ports"][0]["containerPort"] == compose_port, name


def test_k8s_every_deployment_has_a_service() -> None:
    services = {s["metadata"]["name"]: s for s in k8s_objects("Service")}
    for deployment in k8s_objects("Deployment"):
        name = deployment["metadata"]["name"]
        assert name in services, f"no Service for {name}"
        assert services[name]["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
        (port,) = services[name]["spec"]["ports"]
        assert port["targetPort"] == "http"


def test_k8s_secret_example_holds_only_placeholders() -> None:
    (secret,) = k8s_documents()["secret.example.yaml"]
    assert secret["kind"] == "Secret"
    assert secret["metadata"]["name"] == "gridloop-secrets"
    assert set(secret["stringData"]) == {
        "handling-database-url",
        "scoring-database-url",
        "console-database-url",
        "console-signing-key",
        "console-public-key",
    }
    for key, value in secret["stringData"].items():
        assert "CHANGE-ME" in value, f"{key} must be an obvious placeholder"
    referenced = {
        e["valueFrom"]["secretKeyRef"]["key"]
        for d in k8s_objects("Deployment")
        for e in d["spec"]["template"]["spec"]["containers"][0]["env"]
        if "valueFrom" in e
    } | {  # and the key files mounted from the Secret
        item["key"]
        for d in k8s_objects("Deployment")
        for v in d["spec"]["template"]["spec"].get("volumes", [])
        if v.get("secret", {}).get("secretName") == "gridloop-secrets"
        for item in v["secret"]["items"]
    }
    assert referenced == set(secret["stringData"])


def test_k8s_env_configmap_matches_the_pods() -> None:
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    (generator,) = [g for g in kustomization["configMapGenerator"] if g["name"] == "gridloop-env"]
    env = dict(literal.split("=", 1) for literal in generator["literals"])
    assert env["GRIDLOOP_ENV"] == "prod"
    assert {
        "GRIDLOOP_KAFKA_BOOTSTRAP",
        "GRIDLOOP_CITY_DIR",
        "GRIDLOOP_RUN_DIR",
        "GRIDLOOP_HOST",
    } <= env.keys()
    assert not {"DATABASE_URL", "GRIDLOOP_HANDLING_JWT_SECRET"} & env.keys(), "secrets belong in the Secret"
    for deployment in k8s_objects("Deployment"):
        if deployment["metadata"]["name"] == "gridloop-gateway":
            continue  # nginx: no gridloop settings, no city
        pod = deployment["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {m["mountPath"]: volumes[m["name"]] for m in pod["containers"][0]["volumeMounts"]}
        name = deployment["metadata"]["name"]
        assert "emptyDir" in mounts[env["GRIDLOOP_RUN_DIR"]], f"{name}: the run dir must be writable"
        assert mounts[env["GRIDLOOP_CITY_DIR"]]["configMap"]["name"] == "gridloop-city", name


def test_k8s_gateway_fills_the_template_and_routes_to_the_services() -> None:
    (deployment,) = [d for d in k8s_objects("Deployment") if d["metadata"]["name"] == "gridloop-gateway"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    template = (ROOT / "deploy" / "nginx" / "gridloop.conf.tmpl").read_text()
    assert set(re.findall(r"\$\{([A-Z_]+)\}", template)) <= env.keys()
    services = {s["metadata"]["name"]: s["spec"]["ports"][0]["port"] for s in k8s_objects("Service")}
    for name in ("intake", "handling", "scoring", "console"):
        assert env[f"{name.upper()}_UPSTREAM"] == f"gridloop-{name}:{services[f'gridloop-{name}']}"
    assert container["ports"][0]["containerPort"] == int(env["GATEWAY_LISTEN"])
