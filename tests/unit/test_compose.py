"""docker-compose.yml: valid Compose, and the same stack as `make up`.

The Compose file is validated against the Compose Specification's JSON schema as the maintained
check-jsonschema package ships it (``check_jsonschema/builtin_schemas/vendor/compose-spec.json``, kept in
step with compose-spec upstream by that project; upgrading the package updates the schema).

Beyond the schema, the services, ports, commands and environment must agree with docs/ARCHITECTURE.md
(local column), scripts/stack.sh (what `make up` exports) and deploy/prometheus (scrape targets).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
STACK_SH = ROOT / "scripts" / "stack.sh"
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"

SERVICES = ("intake", "dispatch", "handling", "scoring", "console")
# The console keeps no Kafka state and publishes nothing: it waits for PostgreSQL only.
KAFKA_FREE = {"console"}

# The environment each service gets, by name (values differ between the host and containers). This is
# the contract the compose file and `make up` (scripts/stack.sh) share.
COMMON_ENV = {"GRIDLOOP_ENV", "GRIDLOOP_KAFKA_BOOTSTRAP", "GRIDLOOP_CITY_DIR", "GRIDLOOP_RUN_DIR"}
SERVICE_ENV = {
    "intake": {"GRIDLOOP_INTAKE_PORT"},
    "dispatch": {"GRIDLOOP_DISPATCH_PORT", "GRIDLOOP_DISPATCH_SLA_SCALE"},
    "handling": {"GRIDLOOP_HANDLING_PORT", "DATABASE_URL", "GRIDLOOP_AUTH_PUBLIC_KEY_FILE"},
    "scoring": {"GRIDLOOP_SCORING_PORT", "DATABASE_URL", "GRIDLOOP_AUTH_PUBLIC_KEY_FILE"},
    "console": {
        "GRIDLOOP_CONSOLE_PORT",
        "DATABASE_URL",
        "GRIDLOOP_CONSOLE_SIGNING_KEY_FILE",
        "GRIDLOOP_AUTH_PUBLIC_KEY_FILE",
    },
}
# Set in containers only. GRIDLOOP_HOST: a container must listen on every interface, not on loopback as
# on the host.
CONTAINER_ONLY_ENV = {"GRIDLOOP_HOST"}


# --- loading -----------------------------------------------------------------------------------------


def load_compose() -> dict[str, Any]:
    # safe_load resolves the `<<:` merge keys the file uses for its shared service settings, as Compose does.
    data = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(data, dict), "docker-compose.yml must be a mapping"
    return data


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    # Located, not imported: importing check_jsonschema loads its CLI, which we don't need.
    spec = importlib.util.find_spec("check_jsonschema")
    assert spec is not None, "check-jsonschema (a dev dependency) is not installed"
    assert spec.origin
    schema = json.loads((Path(spec.origin).parent / "builtin_schemas/vendor/compose-spec.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def architecture_ports() -> dict[str, int]:
    """The local (`make up`) column of docs/ARCHITECTURE.md's ports table."""
    ports: dict[str, int] = {}
    for line in ARCHITECTURE.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2:
            continue
        what, local = cells[0], cells[1]
        if what.startswith("intake / dispatch / handling / scoring"):
            numbers = [int(n) for n in re.findall(r"\d+", local)]
            assert len(numbers) == 4, f"cannot read four service ports from {local!r}"
            ports.update(zip(("intake", "dispatch", "handling", "scoring"), numbers, strict=True))
        elif what.startswith("console HTTP"):
            ports["console"] = int(re.findall(r"\d+", local)[0])
        elif what.startswith("Kafka broker"):
            ports["kafka"] = int(re.search(r":(\d+)", local).group(1))  # type: ignore[union-attr]
        elif what.startswith("PostgreSQL"):
            ports["postgres"] = int(re.search(r":(\d+)", local).group(1))  # type: ignore[union-attr]
    missing = {*SERVICES, "kafka", "postgres"} - ports.keys()
    assert not missing, f"docs/ARCHITECTURE.md's ports table has no local port for {sorted(missing)}"
    return ports


def published_ports(service: dict[str, Any]) -> list[tuple[int, int]]:
    """(host port, container port) for each entry of a service's `ports:`."""
    result = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            result.append((int(entry["published"]), int(entry["target"])))
            continue
        parts = str(entry).split(":")
        assert len(parts) in (2, 3), f"unexpected port entry {entry!r}"
        result.append((int(parts[-2]), int(parts[-1])))
    return result


def env_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def stack_sh_env_names() -> set[str]:
    """The variables scripts/stack.sh exports to the services (its `export_service_env` function)."""
    text = STACK_SH.read_text()
    match = re.search(r"^export_service_env\(\)\s*\{\n(.*?)^\}", text, re.S | re.M)
    assert match, (
        "scripts/stack.sh has no export_service_env() { ... } function to read the env contract from"
    )
    body = "\n".join(line.split("#", 1)[0] for line in match.group(1).splitlines())
    names = set(re.findall(r"(?:^|\s)(?:export\s+)?([A-Z][A-Z0-9_]*)=", body, re.M))
    names |= set(re.findall(r"^\s*export\s+([A-Z][A-Z0-9_]*)\s*$", body, re.M))
    assert names, "found no variables in scripts/stack.sh's export_service_env()"
    return names


def prometheus_targets(config_file: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    config = yaml.safe_load(config_file.read_text())
    jobs = {}
    for job in config["scrape_configs"]:
        if not job["job_name"].startswith("gridloop-"):
            continue
        (static,) = job["static_configs"]
        jobs[job["job_name"]] = (static["targets"], static.get("labels", {}))
    return jobs


# --- schema ------------------------------------------------------------------------------------------


def test_compose_file_is_valid_compose(compose: dict[str, Any], validator: jsonschema.Validator) -> None:
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "docker-compose.yml does not follow the Compose specification:\n" + "\n".join(
        f"  at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors
    )


@pytest.mark.parametrize(
    ("path", "bad_value"),
    [
        (("services", "intake", "healthcheck", "interval"), 10),
        (("services", "handling", "depends_on", "postgres", "condition"), "service_ready"),
        (("services", "scoring", "restart_policy"), "always"),
    ],
)
def test_schema_rejects_broken_compose(
    compose: dict[str, Any], validator: jsonschema.Validator, path: tuple[str, ...], bad_value: object
) -> None:
    """The vendored schema really constrains services (so the test above can fail)."""
    broken = copy.deepcopy(compose)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad_value
    assert not validator.is_valid(broken), f"schema accepted {'.'.join(path)} = {bad_value!r}"


# --- the gridloop services ---------------------------------------------------------------------------


def test_compose_has_the_four_services_and_their_infrastructure(compose: dict[str, Any]) -> None:
    infrastructure = {"kafka", "postgres", "prometheus", "grafana", "gateway"}
    assert set(SERVICES) | infrastructure == set(compose["services"])


@pytest.mark.parametrize("name", SERVICES)
def test_service_ports_match_architecture(compose: dict[str, Any], name: str) -> None:
    port = architecture_ports()[name]
    service = compose["services"][name]
    assert published_ports(service) == [(port, port)], f"{name} must publish {port}:{port}"
    assert env_of(service)[f"GRIDLOOP_{name.upper()}_PORT"] == str(port)


@pytest.mark.parametrize("name", ["kafka", "postgres"])
def test_infrastructure_host_ports_match_architecture(compose: dict[str, Any], name: str) -> None:
    port = architecture_ports()[name]
    hosts = [host for host, _ in published_ports(compose["services"][name])]
    assert hosts == [port], f"{name} must be reachable from the host on {port} like `make up`'s"


@pytest.mark.parametrize("name", SERVICES)
def test_service_command_and_image(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    assert service["command"] == ["python", "-m", f"services.{name}"]
    assert service["build"]["context"] == "."
    assert service["build"]["dockerfile"] == "Dockerfile"
    images = {compose["services"][s]["image"] for s in SERVICES}
    assert len(images) == 1, f"the services must share one image, got {sorted(images)}"


def test_commands_match_stack_sh() -> None:
    """`make up` starts the same services the same way: python -m services.<name>."""
    text = STACK_SH.read_text()
    array = re.search(r"^SERVICES=\(([^)]*)\)", text, re.M)
    assert array, "scripts/stack.sh has no SERVICES=(...) list"
    assert tuple(array.group(1).split()) == SERVICES
    assert re.search(r'-m\s+"?services\.\$\{?name\}?"?', text), (
        "scripts/stack.sh no longer runs -m services.$name"
    )


@pytest.mark.parametrize("name", SERVICES)
def test_service_environment_names(compose: dict[str, Any], name: str) -> None:
    names = set(env_of(compose["services"][name]))
    expected = COMMON_ENV | SERVICE_ENV[name]
    assert expected <= names, f"{name} lacks {sorted(expected - names)}"
    unexpected = names - expected - {"GRIDLOOP_HOST"}
    assert not unexpected, f"{name} sets {sorted(unexpected)}, unknown to the env contract in this test"


def test_environment_names_match_stack_sh(compose: dict[str, Any]) -> None:
    """Compose gives the services the variables `make up` gives them, give or take the documented few."""
    from_stack = stack_sh_env_names()
    from_compose = set().union(*(env_of(compose["services"][name]) for name in SERVICES)) - CONTAINER_ONLY_ENV
    assert from_compose == from_stack, (
        f"only scripts/stack.sh sets {sorted(from_stack - from_compose)}; "
        f"only docker-compose.yml sets {sorted(from_compose - from_stack)}"
    )


@pytest.mark.parametrize("name", SERVICES)
def test_service_environment_values(compose: dict[str, Any], name: str) -> None:
    env = env_of(compose["services"][name])
    assert env["GRIDLOOP_KAFKA_BOOTSTRAP"] == "kafka:29092", "containers reach Kafka on its internal listener"
    assert env["GRIDLOOP_CITY_DIR"] == "/app/city"
    assert env["GRIDLOOP_RUN_DIR"] == "/app/run", "the image makes /app/run writable for the service user"
    assert env["GRIDLOOP_HOST"] == "0.0.0.0"
    assert env["GRIDLOOP_ENV"] in {"dev", "prod"}
    if "DATABASE_URL" in env:
        assert env["DATABASE_URL"] == "postgresql://gridloop:gridloop@postgres:5432/gridloop"


@pytest.mark.parametrize("name", SERVICES)
def test_service_waits_for_healthy_dependencies(compose: dict[str, Any], name: str) -> None:
    depends = compose["services"][name]["depends_on"]
    needed = (set() if name in KAFKA_FREE else {"kafka"}) | (
        {"postgres"} if "DATABASE_URL" in SERVICE_ENV[name] else set()
    )
    if "GRIDLOOP_AUTH_PUBLIC_KEY_FILE" in SERVICE_ENV[name] and name != "console":
        needed.add("console")  # which makes the key pair the others check tokens with
    assert set(depends) == needed
    for dep in needed:
        assert depends[dep]["condition"] == "service_healthy", f"{name} must wait for {dep} to be healthy"


@pytest.mark.parametrize("name", SERVICES)
def test_service_healthcheck_probes_readyz(compose: dict[str, Any], name: str) -> None:
    port = architecture_ports()[name]
    test = compose["services"][name]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"], "slim images have no curl: probe with python's urllib"
    assert f"http://127.0.0.1:{port}/readyz" in test[3]
    compile(test[3], f"{name} healthcheck", "exec")  # the one-liner is valid Python


def test_every_container_has_a_healthcheck(compose: dict[str, Any]) -> None:
    missing = [n for n, s in compose["services"].items() if not s.get("healthcheck", {}).get("test")]
    assert not missing, f"no healthcheck for {missing}"


# --- infrastructure ----------------------------------------------------------------------------------


def test_kafka_is_single_node_kraft(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    assert kafka["image"] == compose["x-kafka-image"], "the Kafka tag lives in x-kafka-image only"
    assert re.fullmatch(r"apache/kafka:4\.\d+\.\d+", kafka["image"]), kafka["image"]
    env = env_of(kafka)
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert env["KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"] == "0"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    for key in ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"):
        assert env[key] == "1", key
    listeners = dict(item.split("://") for item in env["KAFKA_ADVERTISED_LISTENERS"].split(","))
    assert listeners[env["KAFKA_INTER_BROKER_LISTENER_NAME"]] == "kafka:29092"
    assert "localhost:9092" in listeners.values(), "the host listener must advertise localhost:9092"
    assert "kafka-broker-api-versions.sh" in " ".join(kafka["healthcheck"]["test"])


def test_kafka_version_matches_make_up(compose: dict[str, Any]) -> None:
    """Users with Docker run the Kafka release `make up` runs (scripts/kafka/README.md says why that one)."""
    common = (ROOT / "scripts" / "lib" / "common.sh").read_text()
    match = re.search(r"KAFKA_VERSION:=([0-9][0-9.]*)\}", common)
    assert match, "scripts/lib/common.sh no longer sets a default KAFKA_VERSION"
    assert compose["x-kafka-image"] == f"apache/kafka:{match.group(1)}", (
        f"docker-compose.yml runs {compose['x-kafka-image']}, `make up` runs Kafka {match.group(1)}: "
        "change x-kafka-image"
    )


def test_postgres(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert postgres["image"] == "postgres:15"
    env = env_of(postgres)
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"], env["POSTGRES_DB"]) == ("gridloop",) * 3
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_monitoring_mounts_deploy_config(compose: dict[str, Any]) -> None:
    prometheus = compose["services"]["prometheus"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    assert published_ports(prometheus) == [(9090, 9090)]
    grafana = compose["services"]["grafana"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    assert published_ports(grafana) == [(3000, 3000)]
    provider = yaml.safe_load((ROOT / "deploy/grafana/provisioning/dashboards/gridloop.yaml").read_text())
    dashboards_path = provider["providers"][0]["options"]["path"]
    assert f"./deploy/grafana/dashboards:{dashboards_path}:ro" in grafana["volumes"]
    datasource = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/datasources/prometheus.yaml").read_text()
    )
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"


def test_prometheus_scrapes_the_compose_services(compose: dict[str, Any]) -> None:
    jobs = prometheus_targets(PROMETHEUS_DIR / "prometheus.yml")
    assert set(jobs) == {f"gridloop-{s}" for s in SERVICES}
    for name in SERVICES:
        (_host_port, container_port) = published_ports(compose["services"][name])[0]
        targets, labels = jobs[f"gridloop-{name}"]
        assert targets == [f"{name}:{container_port}"], f"prometheus.yml scrapes {targets} for {name}"
        assert labels == {"service": name}


def test_local_prometheus_scrapes_make_up_ports() -> None:
    ports = architecture_ports()
    compose_jobs = prometheus_targets(PROMETHEUS_DIR / "prometheus.yml")
    local_jobs = prometheus_targets(PROMETHEUS_DIR / "prometheus.local.yml")
    assert set(local_jobs) == set(compose_jobs)
    for name in SERVICES:
        targets, labels = local_jobs[f"gridloop-{name}"]
        assert targets == [f"127.0.0.1:{ports[name]}"]
        assert labels == compose_jobs[f"gridloop-{name}"][1]


# --- the image ---------------------------------------------------------------------------------------


def test_dockerfile() -> None:
    text = (ROOT / "Dockerfile").read_text()
    instructions = [line.split(None, 1) for line in text.splitlines() if line and not line.startswith("#")]
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in text
    assert all(i[1].startswith("${PYTHON_IMAGE}") for i in instructions if i[0] == "FROM")
    assert "pip install -r requirements.lock" in text
    assert "pip install --no-deps ." in text
    assert "COPY city /app/city" in text
    assert "GRIDLOOP_CITY_DIR=/app/city" in text
    assert "GRIDLOOP_RUN_DIR=/app/run" in text
    assert "mkdir -p /app/run" in text
    users = [i[1].strip() for i in instructions if i[0] == "USER"]
    assert users, "the image must not run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert '"python", "-m", "services.' in [i for i in instructions if i[0] == "CMD"][-1][1]


def test_dockerignore_keeps_the_context_small() -> None:
    patterns = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", ".run", ".cache", "tests"} <= patterns
    for needed in ("requirements.lock", "pyproject.toml", "shared", "services", "city"):
        assert needed not in patterns, f".dockerignore must not exclude {needed}: the Dockerfile copies it"


# --- the gateway ---------------------------------------------------------------------------------------


def test_gateway_fills_every_placeholder_of_the_template_and_routes_to_the_services(
    compose: dict[str, Any],
) -> None:
    gateway = compose["services"]["gateway"]
    template = (ROOT / "deploy" / "nginx" / "gridloop.conf.tmpl").read_text()
    placeholders = set(re.findall(r"\$\{([A-Z_]+)\}", template))
    environment = env_of(gateway)
    assert placeholders <= set(environment), f"unfilled: {sorted(placeholders - set(environment))}"
    ports = architecture_ports()
    for name in ("intake", "handling", "scoring", "console"):
        assert environment[f"{name.upper()}_UPSTREAM"] == f"{name}:{ports[name]}"
        assert gateway["depends_on"][name]["condition"] == "service_healthy"
    assert published_ports(gateway) == [(8080, int(environment["GATEWAY_LISTEN"]))]
    assert gateway["build"]["dockerfile"] == "deploy/nginx/Dockerfile"
