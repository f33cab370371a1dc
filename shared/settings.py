"""The settings every service shares.

Each service declares one subclass with its own env prefix (``GRIDLOOP_<SERVICE>_``). Values common to
the whole stack (the Kafka bootstrap, the environment, the city directory) may also be given once under
the plain ``GRIDLOOP_`` prefix; the service-prefixed variable wins when both are set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

Environment = Literal["dev", "test", "prod"]

# Credentials that only ever make sense on a developer's machine. `refuse_dev_defaults` rejects them
# anywhere else, so a forgotten variable in production is a start-up error, not a silent weakness.
DEV_DATABASE_URL = "postgresql://gridloop:gridloop@127.0.0.1:55432/gridloop"
DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789"

REPO_ROOT = Path(__file__).resolve().parent.parent


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDLOOP_", extra="ignore")

    env: Environment = "dev"
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_replication_factor: int = 1
    topic_partitions: int = 6
    city_dir: Path = REPO_ROOT / "city"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        stack_wide = EnvSettingsSource(settings_cls, env_prefix="GRIDLOOP_")
        return init_settings, env_settings, stack_wide, file_secret_settings

    @model_validator(mode="after")
    def refuse_dev_defaults(self) -> ServiceSettings:
        if self.env == "dev":
            return self
        for name, value in self:
            secret = value.get_secret_value() if isinstance(value, SecretStr) else value
            if secret in (DEV_DATABASE_URL, DEV_JWT_SECRET):
                raise ValueError(
                    f"{name} still has its development default; set it explicitly for env={self.env}"
                )
        return self
