"""Settings from the environment (pydantic-settings); nothing is read at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="THIDUA_", extra="ignore")

    nats_url: str = "nats://127.0.0.1:4222"
    # Credentials of this process's NATS user (deploy/nats/accounts.conf); none by default.
    nats_user: str | None = None
    nats_password: SecretStr | None = None
    stream: str = "THIDUA"
    checkpoint_stream: str | None = None  # default: <stream>_CHECKPOINTS
    subject_prefix: str = Field(default="thidua", pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
    duplicate_window_seconds: int = Field(default=3600, ge=1)
    replicas: int = Field(default=1, ge=1, le=5)
    data_dir: Path = Path(".run")
    out_dir: Path = Path("out")
    # A message whose handler keeps failing is parked after this many attempts.
    max_attempts: int = Field(default=5, ge=1)
    retry_base_seconds: float = Field(default=0.2, gt=0)
    batch_size: int = Field(default=256, ge=1)
    # A consumer that starts at least this far behind the log (a rebuild, a restart after a long
    # stop) folds batches of this many until fewer wait: fewer commits, and more of the decisions
    # it makes again are in the batch in hand (EventLog.holding). Never below batch_size.
    catch_up_batch_size: int = Field(default=1024, ge=1)
    batch_timeout_seconds: float = Field(default=0.1, gt=0)
    # A consumer that has caught up and fetched less than a full batch waits this long for more
    # before folding it: one commit (a disk flush on PostgreSQL) for several events rather than
    # one each, at the cost of this much latency per service the events pass through. 0: never.
    batch_linger_seconds: float = Field(default=0.05, ge=0, le=1)
    request_timeout_seconds: float = Field(default=10.0, gt=0)
    # The durable consumer's name; default "<prefix>-<service>".
    consumer_name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]+$")
    # Fault injection for the crash tests: "kill-after-append" SIGKILLs the process right after
    # an append reached the log and before the database commit. Never set in production.
    fault: str | None = None
    # Scale-out (README "Scale-out"): the events are split into this many partitions by the
    # movement token of their subject; each partition has its own durable consumer, owned by
    # one replica at a time through a lease. 1 = one consumer, no leases (unless replica_id).
    partitions: int = Field(default=1, ge=1, le=8)
    # Set on every replica when several run: a name unique among them (pod name), or "auto"
    # for "<host name>-<pid>" (a container's host name is its own).
    replica_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]+$")
    # How long a lease outlives its owner; the owner renews it three times in that time.
    lease_seconds: float = Field(default=10.0, ge=1.0)

    @property
    def nats_servers(self) -> list[str]:
        """`THIDUA_NATS_URL` may list several servers of a cluster, separated by commas."""
        return [u.strip() for u in self.nats_url.split(",") if u.strip()]

    @property
    def leases(self) -> str:
        """The JetStream KV bucket holding partition leases."""
        return f"{self.stream}_PARTITIONS"

    @property
    def partitioned(self) -> bool:
        return self.partitions > 1 or self.replica_id is not None

    @property
    def checkpoints(self) -> str:
        return self.checkpoint_stream or f"{self.stream}_CHECKPOINTS"


def nats_auth(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `nats.connect` with this process's credentials, if any."""
    if settings.nats_user is None:
        return {}
    password = settings.nats_password.get_secret_value() if settings.nats_password else None
    return {"user": settings.nats_user, "password": password}


def database_url(service: str, settings: Settings) -> str:
    """`THIDUA_<SERVICE>_DATABASE_URL`, else a SQLite file under the data directory."""

    class _ServiceSettings(BaseSettings):
        model_config = SettingsConfigDict(env_prefix=f"THIDUA_{service.upper()}_", extra="ignore")
        database_url: str | None = None

    configured = _ServiceSettings().database_url
    if configured:
        return configured
    path = (settings.data_dir / f"{service}.db").resolve()
    return f"sqlite:///{path}"
