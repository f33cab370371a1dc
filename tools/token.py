"""Mint a development bearer token for a person of the city, as handling's API expects it.

    python -m tools.token <person_id> [--minutes N] [--city DIR]

prints an HS256 JWT with the person's id, role and unit (from the city's ``people.yaml``), signed with
``GRIDLOOP_HANDLING_JWT_SECRET`` (the development default when unset, which only ``GRIDLOOP_ENV=dev``
accepts). The demo and the end-to-end tests call ``mint_token`` directly.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from pydantic import SecretStr

from services.handling.api.auth import encode_token
from services.handling.settings import HandlingSettings
from shared.city import CityDataError, load_city


class PersonLike(Protocol):
    @property
    def person_id(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def unit_id(self) -> str: ...


def mint_token(person: PersonLike, secret: str | SecretStr, minutes: int = 60) -> str:
    """A token for ``person`` (a ``shared.city.Person`` or anything with the same three fields)."""
    raw = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    return encode_token(
        person_id=person.person_id,
        role=person.role,
        unit_id=person.unit_id,
        secret=raw,
        lifetime=timedelta(minutes=minutes),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.token", description=__doc__.split("\n\n")[0])
    parser.add_argument("person_id", help="a person_id from the city's people.yaml")
    parser.add_argument("--minutes", type=int, default=60, help="lifetime of the token (default 60)")
    parser.add_argument("--city", type=Path, default=None, help="city directory (default GRIDLOOP_CITY_DIR)")
    args = parser.parse_args(argv)
    if args.minutes <= 0:
        parser.error("--minutes must be positive")

    settings = HandlingSettings()
    try:
        city = load_city(args.city or settings.city_dir)
    except CityDataError as exc:
        print(f"cannot load the city: {exc}", file=sys.stderr)
        return 2
    try:
        person = city.person(args.person_id)
    except KeyError:
        print(f"no person {args.person_id!r} in the city's people.yaml", file=sys.stderr)
        return 1
    print(mint_token(person, settings.jwt_secret, args.minutes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
