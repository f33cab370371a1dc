from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import REPO_ROOT, ServiceSettings


class DispatchSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDLOOP_DISPATCH_", extra="ignore")

    port: int = 8002
    # The Kafka consumer group, and the faust app id (faust names the group after the app).
    group_id: str = "gridloop-dispatch"
    # Divides every time limit. 1.0 in production; demos and end-to-end tests set e.g. 3600 so that a
    # one-day limit passes in 24 seconds and the whole loop, deadlines included, can be watched live.
    sla_scale: float = Field(default=1.0, gt=0)
    # Reports are taken in small batches; the batch's events are acknowledged by the broker before the
    # batch's offsets may be committed. `batch_within` bounds the latency a lone report waits.
    batch_size: int = Field(default=200, ge=1)
    batch_within_seconds: float = Field(default=0.05, gt=0)
    # Namespaces every topic dispatch reads, writes and creates ("<prefix>gridloop.reports"). Empty in a
    # normal stack; a test run sets one so that it shares the broker with other runs without cross-talk.
    topic_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9._-]*$")
    # How long the group waits for a silent worker before giving its partitions to the others: the
    # stall a killed worker causes. Faust's default is 60 s; heartbeats go every 3 s.
    session_timeout_seconds: float = Field(default=30.0, ge=6)
    # A partition whose consumer is past messages the agents have not processed, and that has made no
    # progress for this long, is sought back to them (services.dispatch.offsets).
    stall_after_seconds: float = Field(default=5.0, gt=0)
    # How often consumer lag is measured for /metrics.
    lag_interval_seconds: float = Field(default=5.0, gt=0)
    # Faust keeps a data directory even with the memory store; it goes under the stack's run dir.
    run_dir: Path = REPO_ROOT / ".run" / "dev"
    # The triage rules (priority, duplicate merge, voiding); default: triage.yaml in the city directory.
    triage_file: Path | None = None

    @property
    def triage_path(self) -> Path:
        return self.triage_file if self.triage_file is not None else self.city_dir / "triage.yaml"
