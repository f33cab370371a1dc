"""Settings: per-service prefixes, stack-wide fallbacks, and no development secrets in production."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from shared.settings import DEV_JWT_SECRET, ServiceSettings


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDLOOP_EXAMPLE_", extra="ignore")

    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)


def test_the_stack_wide_variable_applies_when_the_service_one_is_absent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GRIDLOOP_KAFKA_BOOTSTRAP", "broker:9092")
    assert ExampleSettings().kafka_bootstrap == "broker:9092"


def test_the_service_variable_wins_over_the_stack_wide_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDLOOP_KAFKA_BOOTSTRAP", "broker:9092")
    monkeypatch.setenv("GRIDLOOP_EXAMPLE_KAFKA_BOOTSTRAP", "other:9092")
    assert ExampleSettings().kafka_bootstrap == "other:9092"


def test_development_secrets_are_refused_outside_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDLOOP_ENV", "prod")
    with pytest.raises(ValidationError, match="jwt_secret still has its development default"):
        ExampleSettings()
    monkeypatch.setenv("GRIDLOOP_EXAMPLE_JWT_SECRET", "a-real-secret-from-the-vault")
    assert ExampleSettings().env == "prod"
