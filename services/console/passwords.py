"""Set people's console passwords from the command line:

    python -m services.console.passwords set <person_id>     # the password from stdin, or asked twice
    python -m services.console.passwords seed-demo           # development only: the demo password

``set`` gives a person of today's registry a password (argon2id) and ends their sessions; it is written
to the audit trail as set by ``cli``. ``seed-demo`` gives everyone in the registry who has no password
yet the documented demo password ``gridloop-demo`` (``make up`` runs it); it refuses to run unless
GRIDLOOP_ENV=dev. Both read the console's settings (GRIDLOOP_CONSOLE_DATABASE_URL or DATABASE_URL, the
city directory) and migrate the console's schema first.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from uuid import UUID

from services.console import handlers
from services.console.bootstrap import MIGRATIONS, hasher_of, session_policy, slow_down_policies
from services.console.credentials import Argon2Hasher
from services.console.domain import UnknownPerson, WeakPassword
from services.console.handlers import Console
from services.console.ports import PasswordHasher
from services.console.repository import PgStore
from services.console.settings import ConsoleSettings
from shared.auth.tokens import utc_now
from shared.city import CityDataError, load_city
from shared.db import create_pool, migrate

DEMO_PASSWORD = "gridloop-demo"
# The demo password is published: its hashes are made cheaply, and made again at the settings' cost when
# each person first signs in (the hasher sees the lower cost and asks for it).
DEMO_HASHER = Argon2Hasher(time_cost=1, memory_kib=1024, parallelism=1)


class _NoTokens:
    def access_token(self, *, person_id: str, session_id: UUID, now: datetime) -> str:
        raise RuntimeError("the command line sets passwords; it signs no tokens")


@asynccontextmanager
async def _console(settings: ConsoleSettings, hasher: PasswordHasher | None = None) -> AsyncIterator[Console]:
    city = load_city(settings.city_dir)
    database_url = settings.database_url.get_secret_value()
    await migrate(database_url, migrations=MIGRATIONS, schema=settings.db_schema)
    pool = await create_pool(database_url, max_size=2)
    person_slow_down, address_slow_down = slow_down_policies(settings)
    try:
        yield Console(
            store=PgStore(pool, settings.db_schema),
            hasher=hasher or hasher_of(settings),
            signer=_NoTokens(),
            city=city,
            clock=utc_now,
            sessions=session_policy(settings),
            person_slow_down=person_slow_down,
            address_slow_down=address_slow_down,
            dummy_hash="",
        )
    finally:
        await pool.close()


async def set_one(settings: ConsoleSettings, person_id: str, password: str) -> int:
    """Set one person's password; how many of their sessions were ended."""
    async with _console(settings) as console:
        return await handlers.set_password(console, by=None, person_id=person_id, password=password)


async def seed_demo(settings: ConsoleSettings, password: str = DEMO_PASSWORD) -> list[str]:
    """Give everyone in today's registry without a password the demo password; whom it was given to."""
    async with _console(settings, DEMO_HASHER) as console:
        people = [p.person_id for p in console.registry(console.clock()).people]
        async with console.store.transaction() as tx:
            missing = [person_id for person_id in people if await tx.credential(person_id) is None]
        for person_id in missing:
            await handlers.set_password(console, by=None, person_id=person_id, password=password)
        return missing


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("new password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("the two passwords differ; nothing was changed")
    return first


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.console.passwords", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("set", help="set a person's password (from stdin, or asked twice)")
    one.add_argument("person_id")
    commands.add_parser(
        "seed-demo", help=f"development only: {DEMO_PASSWORD!r} for everyone without a password"
    )
    args = parser.parse_args(argv)
    settings = ConsoleSettings()
    try:
        if args.command == "set":
            ended = asyncio.run(set_one(settings, args.person_id, _read_password()))
            print(f"password set for {args.person_id}; {ended} session(s) ended")
        else:
            if settings.env != "dev":
                print(
                    f"seed-demo sets a published password: refused with GRIDLOOP_ENV={settings.env}",
                    file=sys.stderr,
                )
                return 2
            seeded = asyncio.run(seed_demo(settings))
            print(f"demo password {DEMO_PASSWORD!r} set for {len(seeded)} people without one")
    except (UnknownPerson, WeakPassword) as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return 1
    except CityDataError as error:
        print(f"cannot load the city: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
