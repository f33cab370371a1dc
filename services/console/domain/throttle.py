"""Slowing down repeated sign-in failures, per person and per client address.

A person gets a few failures free; after that each attempt must wait twice as long after the last failure
as the one before (1 s, 2 s, 4 s … up to a cap), so guessing a password runs at a few tries an hour
while someone who mistyped theirs waits seconds. Counts are forgotten after a quiet while. Every attempt
counts as a failure until it succeeds, so that attempts sent in parallel cannot slip through together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Scope = Literal["person", "address"]
NO_WAIT = timedelta(0)


@dataclass(frozen=True)
class SlowDownPolicy:
    free_failures: int
    base_delay: timedelta
    max_delay: timedelta
    forget_after: timedelta


@dataclass(frozen=True)
class Failures:
    """The failures counted against one person or address, and when the last one was."""

    count: int = 0
    last_at: datetime | None = None


def current(failures: Failures, policy: SlowDownPolicy, now: datetime) -> Failures:
    """The failures still remembered at ``now``: none after ``forget_after`` without one."""
    if failures.last_at is None or now - failures.last_at >= policy.forget_after:
        return Failures()
    return failures


def wait_before_next(failures: Failures, policy: SlowDownPolicy, now: datetime) -> timedelta:
    """How long from ``now`` until another attempt is allowed (zero: at once)."""
    remembered = current(failures, policy, now)
    if remembered.last_at is None or remembered.count < policy.free_failures:
        return NO_WAIT
    doublings = min(remembered.count - policy.free_failures, 32)
    delay = min(policy.max_delay, policy.base_delay * (1 << doublings))
    return max(NO_WAIT, remembered.last_at + delay - now)


def attempted(failures: Failures, policy: SlowDownPolicy, now: datetime) -> Failures:
    """The failures once an attempt at ``now`` is counted (as failed, until it succeeds)."""
    return Failures(count=current(failures, policy, now).count + 1, last_at=now)


def succeeded(failures: Failures) -> Failures:
    """An address's failures once the attempt counted against it succeeded: that one taken back."""
    return Failures(count=max(0, failures.count - 1), last_at=failures.last_at)
