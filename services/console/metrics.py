"""The console's own metrics, beside the HTTP ones every service has (``shared.observability``)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter

from shared.observability import ServiceMetrics

SIGN_IN_OUTCOMES = ("signed_in", "bad_credentials", "slowed_down")
REVOKE_REASONS = ("signed_out", "refresh_reused", "password_set", "left_registry")


@dataclass(frozen=True)
class ConsoleMetrics:
    sign_ins: Counter
    sessions_refreshed: Counter
    sessions_revoked: Counter
    passwords_set: Counter


def console_metrics(metrics: ServiceMetrics) -> ConsoleMetrics:
    console = ConsoleMetrics(
        sign_ins=metrics.counter(
            "sign_ins_total",
            "Sign-in attempts by outcome (signed_in, bad_credentials, slowed_down).",
            ("outcome",),
        ),
        sessions_refreshed=metrics.counter(
            "sessions_refreshed_total", "Sessions given new tokens with their refresh token."
        ),
        sessions_revoked=metrics.counter(
            "sessions_revoked_total",
            "Sessions ended before their time, by reason (signed_out, refresh_reused, password_set, "
            "left_registry).",
            ("reason",),
        ),
        passwords_set=metrics.counter("passwords_set_total", "Passwords set by supervisors in the console."),
    )
    # Every series from the start, so that rates and alerts see zeros rather than nothing.
    for outcome in SIGN_IN_OUTCOMES:
        console.sign_ins.labels(outcome)
    for reason in REVOKE_REASONS:
        console.sessions_revoked.labels(reason)
    return console
