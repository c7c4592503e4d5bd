"""Configuration from environment variables, with the documented embedded defaults.

Every setting has a ``MADOGUCHI_`` variable; the README's configuration table lists them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from madoguchi.eventstream.consumer_status import ConsumerLimits

SERVICES = ("intake", "projections", "sla_monitor", "supplier")
DEFAULT_PORTS = {"intake": 50051, "projections": 50052, "sla_monitor": 50053, "supplier": 50054}
DEFAULT_METRICS_PORTS = {"intake": 9451, "projections": 9452, "sla_monitor": 9453,
                         "supplier": 9454}


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "")
    return value if value.strip() else default


def _secret(name: str, default: str = "") -> str:
    """A secret from ``NAME``, or from the file ``NAME_FILE`` names (a mounted Kubernetes or
    Docker secret; one trailing newline dropped). Errors name the variable, never a value."""
    path = os.environ.get(f"{name}_FILE", "").strip()
    if not path:
        return _env(name, default)
    if os.environ.get(name, "").strip():
        raise ValueError(f"set {name} or {name}_FILE, not both")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{name}_FILE: cannot read {path}: {type(error).__name__}") from None
    return text[:-1] if text.endswith("\n") else text


@dataclass(frozen=True)
class Topics:
    inquiries: str = "madoguchi.intake.inquiries.v1"
    contact_attempts: str = "madoguchi.intake.contact-attempts.v1"
    sla_signals: str = "madoguchi.sla.signals.v1"
    sla_agreements: str = "madoguchi.sla.agreements.v1"
    supplier_engagements: str = "madoguchi.supplier.engagements.v1"   # keyed by inquiry id
    supplier_registry: str = "madoguchi.supplier.registry.v1"         # keyed by supplier id
    projections_dead_letters: str = "madoguchi.projections.dead-letters.v1"  # raw, + reason


@dataclass(frozen=True)
class AlertSettings:
    """How the SLA monitor seeds itself and reaches people."""

    seed_file: str = ""              # empty: the packaged embedded seed; "none": no seed
    group_window_seconds: float = 10.0
    # Secrets are left out of every repr (and so of log lines that print the settings).
    webhook_secret: str = field(default="", repr=False)   # empty: generated once, kept in data dir
    smtp_host: str = ""              # empty: e-mail channel off
    smtp_port: int = 25
    smtp_sender: str = "madoguchi-sla@localhost"
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = False
    heartbeat_seconds: float = 60.0  # 0: no heartbeat (topic and receiver)
    # After its partitions are assigned and before anything is read, how long a quiet
    # stream must stay quiet before deadlines fire on "read to the end" (watermarks).
    settle_seconds: float = 30.0


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    kafka_bootstrap: str          # empty: the launcher starts the embedded broker
    embedded_kafka_port: int
    host: str
    ports: dict[str, int]
    database_urls: dict[str, str] = field(repr=False)   # they may carry passwords
    metrics_ports: dict[str, int] = field(default_factory=dict)  # 0 or missing: off
    topics: Topics = field(default_factory=Topics)
    topic_partitions: int = 6
    topic_replication_factor: int = 1
    fetch_max_wait_ms: int = 10
    log_level: str = "INFO"
    log_format: str = "text"   # or "json": JSON lines with trace ids, for log shippers
    alerts: AlertSettings = field(default_factory=AlertSettings)
    reporting_time_zone: str = "Asia/Tokyo"   # periods of KPIs and reports
    consumer_limits: ConsumerLimits = field(default_factory=ConsumerLimits)

    def address(self, service: str) -> str:
        return f"{self.host}:{self.ports[service]}"

    def bootstrap(self) -> str:
        return self.kafka_bootstrap or f"127.0.0.1:{self.embedded_kafka_port}"


def _log_format(value: str) -> str:
    if value not in ("text", "json"):
        raise ValueError(f"MADOGUCHI_LOG_FORMAT must be text or json, not {value!r}")
    return value


def load_settings() -> Settings:
    """Read the environment now (not at import), so tests and the launcher can set it."""
    data_dir = Path(_env("MADOGUCHI_DATA_DIR", "./data")).resolve()
    ports = {
        name: int(_env(f"MADOGUCHI_{name.upper()}_PORT", str(port)))
        for name, port in DEFAULT_PORTS.items()
    }
    metrics_ports = {
        name: int(_env(f"MADOGUCHI_{name.upper()}_METRICS_PORT", str(port)))
        for name, port in DEFAULT_METRICS_PORTS.items()
    }
    database_urls = {
        name: _secret(f"MADOGUCHI_{name.upper()}_DATABASE_URL", f"sqlite:///{data_dir / name}.db")
        for name in DEFAULT_PORTS
    }
    return Settings(
        data_dir=data_dir,
        kafka_bootstrap=_env("MADOGUCHI_KAFKA_BOOTSTRAP_SERVERS", ""),
        embedded_kafka_port=int(_env("MADOGUCHI_EMBEDDED_KAFKA_PORT", "19092")),
        host=_env("MADOGUCHI_HOST", "127.0.0.1"),
        ports=ports,
        database_urls=database_urls,
        metrics_ports=metrics_ports,
        topics=Topics(
            inquiries=_env("MADOGUCHI_TOPIC_INQUIRIES", Topics.inquiries),
            contact_attempts=_env("MADOGUCHI_TOPIC_CONTACT_ATTEMPTS", Topics.contact_attempts),
            sla_signals=_env("MADOGUCHI_TOPIC_SLA_SIGNALS", Topics.sla_signals),
            sla_agreements=_env("MADOGUCHI_TOPIC_SLA_AGREEMENTS", Topics.sla_agreements),
            supplier_engagements=_env("MADOGUCHI_TOPIC_SUPPLIER_ENGAGEMENTS",
                                      Topics.supplier_engagements),
            supplier_registry=_env("MADOGUCHI_TOPIC_SUPPLIER_REGISTRY", Topics.supplier_registry),
            projections_dead_letters=_env("MADOGUCHI_TOPIC_PROJECTIONS_DEAD_LETTERS",
                                          Topics.projections_dead_letters),
        ),
        reporting_time_zone=_env("MADOGUCHI_REPORTING_TIME_ZONE", "Asia/Tokyo"),
        topic_partitions=int(_env("MADOGUCHI_TOPIC_PARTITIONS", "6")),
        topic_replication_factor=int(_env("MADOGUCHI_TOPIC_REPLICATION_FACTOR", "1")),
        fetch_max_wait_ms=int(_env("MADOGUCHI_KAFKA_FETCH_MAX_WAIT_MS", "10")),
        log_level=_env("MADOGUCHI_LOG_LEVEL", "INFO"),
        log_format=_log_format(_env("MADOGUCHI_LOG_FORMAT", "text")),
        consumer_limits=ConsumerLimits(
            blind_after=float(_env("MADOGUCHI_CONSUMER_BLIND_AFTER_SECONDS", "10")),
            rejoin_after=float(_env("MADOGUCHI_CONSUMER_REJOIN_AFTER_SECONDS", "16")),
            max_lag=float(_env("MADOGUCHI_CONSUMER_MAX_LAG_SECONDS", "60"))),
        alerts=AlertSettings(
            seed_file=_env("MADOGUCHI_SLA_SEED_FILE", ""),
            group_window_seconds=float(_env("MADOGUCHI_SLA_GROUP_WINDOW_SECONDS", "10")),
            webhook_secret=_secret("MADOGUCHI_SLA_WEBHOOK_SECRET"),
            smtp_host=_env("MADOGUCHI_SLA_SMTP_HOST", ""),
            smtp_port=int(_env("MADOGUCHI_SLA_SMTP_PORT", "25")),
            smtp_sender=_env("MADOGUCHI_SLA_SMTP_SENDER", AlertSettings.smtp_sender),
            smtp_username=_env("MADOGUCHI_SLA_SMTP_USERNAME", ""),
            smtp_password=_secret("MADOGUCHI_SLA_SMTP_PASSWORD"),
            heartbeat_seconds=float(_env("MADOGUCHI_SLA_HEARTBEAT_SECONDS", "60")),
            settle_seconds=float(_env("MADOGUCHI_SLA_SETTLE_SECONDS", "30")),
            smtp_starttls=_env("MADOGUCHI_SLA_SMTP_STARTTLS", "false").lower() in (
                "1", "true", "yes"),
        ),
    )
