"""Kafka client settings that work on Apache Kafka and on the embedded broker alike.

Group joins take about half the session timeout with kafka-python, so the session
timeout is short (6 s) and the poll interval 10 s; end-to-end latency follows
``fetch_max_wait_ms``, so it is a few milliseconds (0 would deliver nothing on tansu).
"""

from __future__ import annotations

from typing import Any


def producer_config(bootstrap: str, client_id: str) -> dict[str, Any]:
    return {
        "bootstrap_servers": bootstrap.split(","),
        "client_id": client_id,
        "acks": "all",
        "retries": 3,
        # One request in flight per connection keeps per-key order across retries.
        "max_in_flight_requests_per_connection": 1,
        "linger_ms": 1,
        "request_timeout_ms": 10_000,
        "max_block_ms": 5_000,
        "reconnect_backoff_max_ms": 2_000,
    }


def consumer_config(bootstrap: str, group_id: str, client_id: str,
                    fetch_max_wait_ms: int) -> dict[str, Any]:
    return {
        "bootstrap_servers": bootstrap.split(","),
        "group_id": group_id,
        "client_id": client_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "session_timeout_ms": 6_000,
        "heartbeat_interval_ms": 2_000,
        "max_poll_interval_ms": 10_000,
        "fetch_max_wait_ms": max(1, fetch_max_wait_ms),
        "max_poll_records": 500,
        "metadata_max_age_ms": 30_000,
        "request_timeout_ms": 15_000,
        "reconnect_backoff_max_ms": 2_000,
        # Full fetches instead of incremental fetch sessions (KIP-227): a little more on
        # the wire, but the embedded broker's CPU otherwise grows with every batch a
        # long-lived consumer has read (measured with bench/sla.py); harmless on Kafka.
        "enable_incremental_fetch_sessions": False,
        # Topics are made by ``ensure_topics`` (or provisioned) with the configured
        # partitions; a consumer's metadata request must not create them with the broker's
        # default instead (an empty replacement broker would get the wrong count).
        "allow_auto_create_topics": False,
    }


def admin_config(bootstrap: str, client_id: str) -> dict[str, Any]:
    return {
        "bootstrap_servers": bootstrap.split(","),
        "client_id": client_id,
        "request_timeout_ms": 10_000,
    }
