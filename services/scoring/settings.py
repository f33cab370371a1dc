from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.auth import AuthSettings
from shared.settings import DEV_DATABASE_URL


class ScoringSettings(AuthSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDLOOP_SCORING_", extra="ignore", populate_by_name=True)

    port: int = 8004
    # A secret (it carries the password): kept out of reprs and logs, like handling's.
    database_url: SecretStr = Field(
        default=SecretStr(DEV_DATABASE_URL),
        validation_alias=AliasChoices("GRIDLOOP_SCORING_DATABASE_URL", "DATABASE_URL", "database_url"),
    )
    # One PostgreSQL schema holds scoring's tables; tests give each run its own.
    db_schema: str = Field(default="scoring", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    # shared.topics.CASE_EVENTS (a test keeps them equal); tests point a scoring at a topic of their own.
    case_events_topic: str = "gridloop.case-events"
    consumer_group: str = "gridloop-scoring"
    # The versioned rubric (indicators, variants, weights, grades). Empty: rubric.yaml in the city dir.
    rubric_path: Path | None = None
    # Reporter credit and volunteer service rules. Empty: vanguard.yaml in the city dir.
    vanguard_path: Path | None = None
    # Hotspot and recurrence thresholds. Empty: analysis.yaml in the city dir.
    analysis_path: Path | None = None
    # How often the deadline sweep looks for handling deadlines that passed without an event.
    sweep_interval_seconds: float = Field(default=5.0, gt=0)
    # A period's results become final (published once more with final: true) this long after it ends.
    period_grace_days: float = Field(default=5.0, ge=0)
    # The city's timezone decides which month an instant belongs to. Empty: take it from city.yaml.
    timezone: str | None = None
    max_page_size: int = 500
    # Re-assess and publish each result once per consumed batch (False: once per event; the bench
    # measures both).
    batch_assessment: bool = True
