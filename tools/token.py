"""Mint a development access token for a person of the city, as the console signs them:

    python -m tools.token <person_id> [--minutes N] [--key FILE] [--city DIR]

prints an RS256 JWT naming the person (``sub``; no role, no unit: every service takes those from the
registry), signed with the console's development key: ``--key``, else GRIDLOOP_CONSOLE_SIGNING_KEY_FILE,
else ``<run dir>/keys/console-signing-key.pem`` (GRIDLOOP_RUN_DIR, else ``.run/<GRIDLOOP_PROFILE>``, which
``make up`` fills). The demo and the end-to-end tests call ``mint_token`` directly.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import KeyFileError, load_private_key, sign_access_token
from shared.auth.keys import PRIVATE_KEY_FILE
from shared.auth.tokens import utc_now
from shared.city import CityDataError, load_city
from shared.settings import REPO_ROOT


class PersonLike(Protocol):
    @property
    def person_id(self) -> str: ...


def dev_key_file() -> Path:
    """Where the development signing key is, by the same rules as ``scripts/stack.sh``."""
    if configured := os.environ.get("GRIDLOOP_CONSOLE_SIGNING_KEY_FILE"):
        return Path(configured)
    run_dir = Path(os.environ.get("GRIDLOOP_RUN_DIR") or f".run/{os.environ.get('GRIDLOOP_PROFILE', 'dev')}")
    return (run_dir if run_dir.is_absolute() else REPO_ROOT / run_dir) / "keys" / PRIVATE_KEY_FILE


def mint_token(person: PersonLike | str, key: rsa.RSAPrivateKey | None = None, minutes: int = 60) -> str:
    """An access token for ``person`` (a ``shared.city.Person``, or a person id), signed with ``key``
    (default: the development key)."""
    person_id = person if isinstance(person, str) else person.person_id
    return sign_access_token(
        key=key or load_private_key(dev_key_file()),
        person_id=person_id,
        now=utc_now(),
        lifetime=timedelta(minutes=minutes),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.token", description=__doc__.split("\n\n")[0])
    parser.add_argument("person_id", help="a person_id from the city's people.yaml")
    parser.add_argument("--minutes", type=int, default=60, help="lifetime of the token (default 60)")
    parser.add_argument("--key", type=Path, default=None, help="the console's signing key (PEM)")
    parser.add_argument("--city", type=Path, default=None, help="city directory (default GRIDLOOP_CITY_DIR)")
    args = parser.parse_args(argv)
    if args.minutes <= 0:
        parser.error("--minutes must be positive")
    try:
        city = load_city(args.city or os.environ.get("GRIDLOOP_CITY_DIR") or REPO_ROOT / "city")
    except CityDataError as exc:
        print(f"cannot load the city: {exc}", file=sys.stderr)
        return 2
    try:
        person = city.person(args.person_id)
    except KeyError:
        print(f"no person {args.person_id!r} in the registry in force today", file=sys.stderr)
        return 1
    try:
        key = load_private_key(args.key or dev_key_file())
    except KeyFileError as exc:
        print(
            f"no signing key: {exc} (`make up` makes one, or: python -m services.console.keys DIR)",
            file=sys.stderr,
        )
        return 2
    print(mint_token(person, key, args.minutes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
