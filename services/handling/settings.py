"""Handling's settings: one class, read once at start (``main.serve``) and handed to ``bootstrap``."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.auth import AuthSettings
from shared.settings import DEV_DATABASE_URL


class HandlingSettings(AuthSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDLOOP_HANDLING_", extra="ignore")

    port: int = 8003
    # ``DATABASE_URL`` is what docker-compose and the stack scripts set; the prefixed name wins.
    database_url: SecretStr = Field(
        default=SecretStr(DEV_DATABASE_URL),
        validation_alias=AliasChoices("GRIDLOOP_HANDLING_DATABASE_URL", "DATABASE_URL", "database_url"),
    )
    db_schema: str = "handling"
    consumer_group: str = "gridloop-handling"
    # Namespaces every topic handling reads, writes and creates ("<prefix>gridloop.case-events"). Empty in
    # a normal stack; a test run sets one so that it shares the broker with other runs without cross-talk.
    topic_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9._-]*$")
    # How often the open/overdue case gauges are recounted from the database.
    gauge_refresh_seconds: float = 5.0
    max_body_bytes: int = 64 * 1024
    # Divides handling's limits (return window, extension caps, deferral length) like dispatch's
    # GRIDLOOP_DISPATCH_SLA_SCALE does deadlines: demo time runs them on a compressed wall clock.
    sla_scale: float = Field(
        default=1.0,
        gt=0,
        validation_alias=AliasChoices(
            "GRIDLOOP_HANDLING_SLA_SCALE", "GRIDLOOP_DISPATCH_SLA_SCALE", "sla_scale"
        ),
    )
    # The case stream (SSE): at most this many events per read while a client catches up, and a comment
    # after this many idle seconds so that proxies keep the connection open.
    stream_batch_size: int = Field(default=100, ge=1, le=1000)
    stream_heartbeat_seconds: float = Field(default=15.0, gt=0)
    # After SIGTERM, how long requests still running (live streams among them) get before they are cut;
    # stream clients then reconnect, to another instance, with Last-Event-ID.
    shutdown_grace_seconds: int = Field(default=5, ge=0)
