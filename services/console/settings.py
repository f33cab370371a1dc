"""The console's settings: one class, read once in ``main.py``. Token checking (public keys of a key
rotation, an OIDC issuer) is ``shared.auth.AuthSettings``'s, like every other service's."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.auth import LOCAL_ISSUER, AuthSettings
from shared.settings import DEV_DATABASE_URL


class ConsoleSettings(AuthSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDLOOP_CONSOLE_", extra="ignore", populate_by_name=True)

    port: int = 8005
    database_url: SecretStr = Field(
        default=SecretStr(DEV_DATABASE_URL),
        validation_alias=AliasChoices("GRIDLOOP_CONSOLE_DATABASE_URL", "DATABASE_URL", "database_url"),
    )
    db_schema: str = Field(default="console", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    # The issuer the console signs as, which every service checks (GRIDLOOP_AUTH_ISSUER for the stack).
    auth_issuer: str = Field(
        default=LOCAL_ISSUER,
        validation_alias=AliasChoices("GRIDLOOP_CONSOLE_ISSUER", "GRIDLOOP_AUTH_ISSUER", "auth_issuer"),
    )
    # The RS256 private key (PEM) access tokens are signed with; its public half goes to the services.
    signing_key_file: Path | None = None
    access_token_minutes: int = Field(default=5, ge=1, le=60)
    # A refresh token lives this long unless used (each use gives a new one), and no session outlives
    # session_max_hours: a shift's console needs 12 h, the big screen on the wall runs for days.
    refresh_token_hours: float = Field(default=12.0, gt=0)
    session_max_hours: float = Field(default=7 * 24.0, gt=0)
    # Two tabs refreshing the one session at once present the same refresh token; the later one, within
    # this many seconds of the rotation, is told to carry on with the cookies the other got rather than
    # taken for a thief.
    refresh_reuse_grace_seconds: float = Field(default=10.0, ge=0, le=60)
    # Cookies only over HTTPS; unset: everywhere but in development.
    cookie_secure: bool | None = None
    # The paths the browser sends the cookies to, as the gateway publishes the APIs.
    access_cookie_path: str = "/api"
    refresh_cookie_path: str = "/api/console/v1/session"
    # Repeated failures slow sign-in down: after this many, each attempt waits twice as long as the last
    # (from slow_down_base_seconds up to slow_down_max_seconds); counts are forgotten after an hour
    # without a failure. Per person, and per client address (an office shares one: a higher allowance).
    person_free_failures: int = Field(default=5, ge=1)
    address_free_failures: int = Field(default=20, ge=1)
    slow_down_base_seconds: float = Field(default=1.0, gt=0)
    slow_down_max_seconds: float = Field(default=900.0, gt=0)
    slow_down_forget_seconds: float = Field(default=3600.0, gt=0)
    # argon2id cost (OWASP's minimum: 19 MiB, 2 passes, 1 lane; ~70 ms a hash on the dev machine).
    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_memory_kib: int = Field(default=19 * 1024, ge=8)
    argon2_parallelism: int = Field(default=1, ge=1)
    # The red map. Empty: red_map.yaml in the city dir.
    red_map_path: Path | None = None
    # The gateway in front (nginx) says who the client is in X-Forwarded-For; only these are believed.
    forwarded_allow_ips: str = "127.0.0.1"
    max_body_bytes: int = 16 * 1024

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else self.env != "dev"
