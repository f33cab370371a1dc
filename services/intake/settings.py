from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDLOOP_INTAKE_", extra="ignore")

    port: int = 8001
    max_body_bytes: int = 64 * 1024
    # How long a POST may wait for the broker's acknowledgement before answering 503.
    ack_timeout_seconds: float = 5.0
    retry_after_seconds: int = 5
    # Reports may describe something seen a while ago, but not in the future (beyond clock skew).
    max_clock_skew_seconds: int = 300
    max_report_age_days: int = 30
