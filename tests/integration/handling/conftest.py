"""Handling against the real PostgreSQL and Kafka: the app with its lifespan, people with tokens, and
dispatch's events produced to the real case-events topic.

Each app gets its own database schema, consumer group and topic prefix, so runs never share state (nor
read each other's events); schema and topics are dropped afterwards.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from cryptography.hazmat.primitives.asymmetric import rsa

from services.handling.bootstrap import bootstrap
from services.handling.settings import HandlingSettings
from shared.events import derived_id, encode
from shared.events.cases import CaseAssigned, CaseOpened
from shared.kafka import make_producer, send
from shared.topics import ALL_TOPICS, Topic
from tests.builders import case_assigned, case_opened
from tests.builders.registry import CrewMember, CrewUnits, session_crews
from tests.builders.tokens import mint, public_key_file, signing_key

DISPATCH_SOURCE = "/gridloop/dispatch"


@dataclass(frozen=True)
class Person:
    person_id: str
    role: str
    unit_id: str

    def headers(self, key: rsa.RSAPrivateKey | None = None, minutes: int = 10) -> dict[str, str]:
        """An access token as the console signs it (with ``key``: as someone else does)."""
        token = mint(self.person_id, key=key or signing_key(), lifetime=timedelta(minutes=minutes))
        return {"Authorization": f"Bearer {token}"}

    @classmethod
    def of(cls, member: CrewMember) -> Person:
        return cls(member.person_id, member.role, member.unit_id)


@dataclass
class Handling:
    """A running handling app and what tests need to talk to it."""

    app: object
    http: httpx.AsyncClient
    settings: HandlingSettings
    schema: str

    @property
    def pool(self) -> asyncpg.Pool:
        """The app's own database pool, to write or read as its handlers do."""
        return self.app.state.runtime.pool  # type: ignore[attr-defined]

    def topic(self, topic: Topic) -> str:
        """The name this app's copy of a registry topic has on the broker."""
        return self.settings.topic_prefix + topic.name

    async def metric(self, name: str, **labels: str) -> float:
        """A sample from /metrics (the exposition sorts labels by name)."""
        text = (await self.http.get("/metrics")).text
        wanted = (
            "{" + ",".join(f'{key}="{value}"' for key, value in sorted(labels.items())) + "}"
            if labels
            else ""
        )
        for line in text.splitlines():
            if line.startswith(f"{name}{wanted} "):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    async def wait_for(self, check: Callable[[], object], within: float = 30.0, what: str = "") -> None:
        deadline = asyncio.get_running_loop().time() + within
        while True:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            if asyncio.get_running_loop().time() > deadline:
                pytest.fail(f"timed out after {within}s waiting for {what or check}")
            await asyncio.sleep(0.2)


def handling_settings(database_url: str, kafka_bootstrap: str, run: str) -> HandlingSettings:
    return HandlingSettings(
        env="test",
        database_url=database_url,
        kafka_bootstrap=kafka_bootstrap,
        db_schema=f"handling_test_{run}",
        consumer_group=f"gridloop-handling-test-{run}",
        topic_prefix=f"test-handling-{run}.",
        # Everyone a test acts as is in the registry: the sample city and the crews.
        city_dir=session_crews().directory,
        auth_public_key_file=str(public_key_file()),
        gauge_refresh_seconds=0.3,
    )


def registry_env() -> dict[str, str]:
    """What a handling process started by a test needs to know who people are."""
    return {
        "GRIDLOOP_HANDLING_CITY_DIR": str(session_crews().directory),
        "GRIDLOOP_HANDLING_AUTH_PUBLIC_KEY_FILE": str(public_key_file()),
    }


@asynccontextmanager
async def running_handling(
    settings: HandlingSettings, *, wait_ready: bool = True, keep_data: bool = False
) -> AsyncIterator[Handling]:
    """The app with its lifespan; its schema and topics dropped afterwards unless ``keep_data`` (a test
    that restarts handling drops them itself, with ``drop_data``)."""
    app = bootstrap(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://handling") as http:
                handling = Handling(app=app, http=http, settings=settings, schema=settings.db_schema)
                if wait_ready:

                    async def ready() -> bool:
                        return (await http.get("/readyz")).status_code == 200

                    await handling.wait_for(ready, within=60, what="/readyz to answer 200")
                yield handling
    finally:
        if not keep_data:
            await drop_data(settings)


async def drop_data(settings: HandlingSettings) -> None:
    topics = [settings.topic_prefix + topic.name for topic in ALL_TOPICS]
    connection = await asyncpg.connect(settings.database_url.get_secret_value())
    try:
        await connection.execute(f'drop schema if exists "{settings.db_schema}" cascade')
    finally:
        await connection.close()
    await delete_topics(settings.kafka_bootstrap, topics)


async def delete_topics(bootstrap: str, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="handling-tests-cleanup")
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        if doomed := [name for name in names if name in existing]:
            await admin.delete_topics(doomed)
    except KafkaError:
        pass  # a test that ran without a broker left nothing to clean
    finally:
        await admin.close()


@pytest.fixture
def start_handling(
    database_url: str, kafka_bootstrap: str
) -> Callable[..., AbstractAsyncContextManager[Handling]]:
    """``async with start_handling() as handling:`` — a fresh app, schema and consumer group
    (named ``handling_test_<run>`` and ``gridloop-handling-test-<run>``)."""

    def start(
        *, wait_ready: bool = True, bootstrap: str | None = None, run: str | None = None
    ) -> AbstractAsyncContextManager[Handling]:
        run = run or uuid.uuid4().hex[:10]
        settings = handling_settings(database_url, bootstrap or kafka_bootstrap, run)
        return running_handling(settings, wait_ready=wait_ready)

    return start


@pytest.fixture(scope="module")
async def handling(database_url: str, kafka_bootstrap: str) -> AsyncIterator[Handling]:
    """One app shared by a module's tests; each test makes its own cases."""
    settings = handling_settings(database_url, kafka_bootstrap, uuid.uuid4().hex[:10])
    async with running_handling(settings) as running:
        yield running


@dataclass(frozen=True)
class Crew:
    assignee: Person
    verifier: Person
    stranger: Person
    operator: Person
    district_id: str
    # The case's places; derived from the assignee's grid when not given (made-up units).
    community_id: str | None = None
    street_id: str | None = None
    department_id: str | None = None


# Real people of the sample city (city/people.yaml), for steps that look up who receives a case.
CITY = {
    "worker": Person("w-tinghu-wenfeng-01", "grid_worker", "g-tinghu-wenfeng-01"),
    "other_worker": Person("w-tinghu-wenfeng-02", "grid_worker", "g-tinghu-wenfeng-01"),
    "chief": Person("gc-tinghu-wenfeng-01", "grid_chief", "g-tinghu-wenfeng-01"),
    "other_chief": Person("gc-tinghu-wenfeng-02", "grid_chief", "g-tinghu-wenfeng-02"),
    "community_officer": Person("co-tinghu-wenfeng-yulong", "community_officer", "c-tinghu-wenfeng-yulong"),
    "street_officer": Person("so-tinghu-wenfeng-1", "street_officer", "s-tinghu-wenfeng"),
    "operator": Person("op-tinghu", "operator", "d-tinghu"),
    "other_operator": Person("op-yandu", "operator", "d-yandu"),
    "supervisor": Person("sv-tinghu", "supervisor", "d-tinghu"),
    "department": Person("dh-urban-management", "department_handler", "dept-urban-management"),
}


@pytest.fixture
def city_crew() -> Crew:
    """A case in grid g-tinghu-wenfeng-01 of the sample city, held by its worker, verified by its chief."""
    return Crew(
        assignee=CITY["worker"],
        verifier=CITY["chief"],
        stranger=CITY["other_chief"],
        operator=CITY["operator"],
        district_id="d-tinghu",
        community_id="c-tinghu-wenfeng-yulong",
        street_id="s-tinghu-wenfeng",
        department_id="dept-urban-management",
    )


def crew_of(units: CrewUnits, *, department_id: str | None = None) -> Crew:
    """A crew's grid worker and chief, the worker of its next grid and its operator; its cases lie in
    its grid (and ``department_id``, when given)."""
    return Crew(
        assignee=Person.of(units.worker),
        verifier=Person.of(units.chief),
        stranger=Person.of(units.other_worker),
        operator=Person.of(units.operator),
        district_id=units.district_id,
        community_id=units.community_id,
        street_id=units.street_id,
        department_id=department_id,
    )


def new_crew() -> Crew:
    """The people of a district nobody else's test uses."""
    return crew_of(session_crews().next())


@pytest.fixture
def crew() -> Crew:
    return new_crew()


class Dispatch:
    """Plays dispatch: opens and assigns cases by producing its events to the real topic."""

    def __init__(self, bootstrap: str) -> None:
        self._producer = make_producer(bootstrap, client_id="handling-tests-dispatch")

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    def events(
        self,
        crew: Crew,
        case_id: uuid.UUID | None = None,
        *,
        handle_within: timedelta = timedelta(days=2),
        yellow_after: timedelta | None = None,
    ) -> tuple[CaseOpened, CaseAssigned]:
        """Dispatch's two events for a new case; its handling deadline (and red) ``handle_within`` from
        now, yellow ``yellow_after`` (three quarters of the way by default)."""
        case_id = case_id or uuid.uuid4()
        now = datetime.now(UTC)
        grid = crew.assignee.unit_id
        resolve_by = now + handle_within
        yellow_at = now + (yellow_after if yellow_after is not None else handle_within * 0.75)
        places = {
            "grid_id": grid,
            "resolve_by": resolve_by,
            "close_by": resolve_by + timedelta(days=1),
        }
        opened = case_opened(
            now=now,
            case_id=case_id,
            community_id=crew.community_id or f"c-{grid}",
            street_id=crew.street_id or f"s-{grid}",
            district_id=crew.district_id,
            department_id=crew.department_id,
            **places,
        )
        assigned = case_assigned(
            now=now,
            case_id=case_id,
            assignee_id=crew.assignee.person_id,
            assignee_role=crew.assignee.role,
            unit_id=grid,
            verifier_id=crew.verifier.person_id,
            yellow_at=yellow_at,
            red_at=resolve_by,
            **places,
        )
        return opened, assigned

    async def publish(self, handling: Handling, *events: CaseOpened | CaseAssigned) -> None:
        """Produce to ``handling``'s own case-events topic."""
        for event in events:
            kind = "opened" if isinstance(event, CaseOpened) else "assigned"
            record = encode(event, source=DISPATCH_SOURCE, event_id=derived_id(event.case_id, kind))
            await send(self._producer, replace(record, topic=handling.settings.topic_prefix + record.topic))

    async def open_and_assign(
        self,
        crew: Crew,
        handling: Handling,
        *,
        handle_within: timedelta = timedelta(days=2),
        yellow_after: timedelta | None = None,
    ) -> uuid.UUID:
        """A case assigned to the crew's assignee, once handling has it."""
        opened, assigned = self.events(crew, handle_within=handle_within, yellow_after=yellow_after)
        await self.publish(handling, opened, assigned)

        async def assigned_in_handling() -> bool:
            response = await handling.http.get(f"/v1/cases/{opened.case_id}", headers=crew.operator.headers())
            return response.status_code == 200 and response.json()["state"] == "assigned"

        await handling.wait_for(assigned_in_handling, what=f"case {opened.case_id} to be assigned")
        return opened.case_id


@pytest.fixture(scope="module")
async def dispatch(kafka_bootstrap: str) -> AsyncIterator[Dispatch]:
    playing = Dispatch(kafka_bootstrap)
    await playing.start()
    yield playing
    await playing.stop()
