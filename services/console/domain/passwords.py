"""Who may set whose password, and what a password must be.

People get their password from the command line (``python -m services.console.passwords``) or from a
supervisor of the registry, for people inside the supervisor's jurisdiction (a district supervisor for
their district, the city's for everyone).
"""

from __future__ import annotations

from shared.auth import Caller, covers
from shared.city import City, Person

MIN_LENGTH = 10
# argon2 hashes any length, but the time to do so grows with it.
MAX_LENGTH = 256
SETTERS = frozenset({"supervisor"})


def password_problem(person_id: str, password: str) -> str | None:
    """Why ``password`` may not be ``person_id``'s, or None."""
    if len(password) < MIN_LENGTH:
        return f"a password has at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"a password has at most {MAX_LENGTH} characters"
    if password.strip().casefold() == person_id.casefold():
        return "a password is not the person id"
    if len(set(password)) < 4:
        return "a password has at least 4 different characters"
    return None


def refusal_to_set_any(caller: Caller) -> str | None:
    """Why ``caller`` may not set anyone's password, or None. Asked before looking the other person up,
    so that those who may not set passwords cannot learn who is in the registry either."""
    if caller.role not in SETTERS:
        return f"setting passwords is for: {', '.join(sorted(SETTERS))}; not a {caller.role}"
    return None


def refusal_to_set(caller: Caller, person: Person, city: City) -> str | None:
    """Why ``caller`` may not set ``person``'s password, or None."""
    if refusal := refusal_to_set_any(caller):
        return refusal
    if not covers(city, caller.jurisdiction, person.unit_id):
        return (
            f"{person.person_id} serves {person.unit_id}, outside the jurisdiction of "
            f"{caller.role} {caller.person_id} ({caller.jurisdiction.unit_id})"
        )
    return None
