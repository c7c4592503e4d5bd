"""SQL tables of alert delivery: the alert index, pending notifications, deliveries.

The alert feed fills these from the monitor's own event log, storing its position in
the same transaction, so every alert event is indexed and queued for notification once.
Pending rows wait for their group window; a group becomes one delivery per recipient and
channel; each delivery is claimed with a lease, so several instances never send the same
one at the same time and a crashed sender's claim runs out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from madoguchi.storage.sql import Cursor, SqlDatabase
from services.sla_monitor.application.delivery import Delivery

_DDL = """
CREATE TABLE IF NOT EXISTS sla_feed_positions (
    name TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS sla_alerts (
    alert_id TEXT PRIMARY KEY,
    inquiry_id TEXT NOT NULL,
    target TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    team TEXT NOT NULL,
    state TEXT NOT NULL,
    level INTEGER NOT NULL,
    reminders INTEGER NOT NULL,
    raised_at DOUBLE PRECISION NOT NULL,
    due_at DOUBLE PRECISION NOT NULL,
    acknowledged_by TEXT NOT NULL,
    resolution TEXT NOT NULL,
    priority TEXT NOT NULL,
    agreement_id TEXT NOT NULL,
    next_action_at DOUBLE PRECISION,
    facts_json TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS sla_alerts_raised ON sla_alerts (raised_at);
CREATE INDEX IF NOT EXISTS sla_alerts_next ON sla_alerts (next_action_at);
CREATE TABLE IF NOT EXISTS sla_pending_notifications (
    pending_id TEXT PRIMARY KEY,
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    facts_json TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS sla_deliveries (
    delivery_id TEXT PRIMARY KEY,
    notification_key TEXT NOT NULL,
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at DOUBLE PRECISION NOT NULL,
    lease_until DOUBLE PRECISION NOT NULL,
    last_error TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    sent_at DOUBLE PRECISION
);
CREATE INDEX IF NOT EXISTS sla_deliveries_due ON sla_deliveries (state, channel, next_attempt_at)
"""

ALERT_COLUMNS = ("alert_id", "inquiry_id", "target", "cycle", "team", "state", "level",
                 "reminders", "raised_at", "due_at", "acknowledged_by", "resolution",
                 "priority", "agreement_id", "next_action_at", "facts_json", "version")


class AlertStore:
    def __init__(self, db: SqlDatabase) -> None:
        self.db = db
        self.db.executescript(_DDL)

    # ----- feed position -----

    def position(self, name: str) -> int:
        rows = self.db.query("SELECT position FROM sla_feed_positions WHERE name = ?", (name,))
        return int(rows[0][0]) if rows else 0

    def save_position(self, cur: Cursor, name: str, position: int) -> None:
        cur.execute(
            "INSERT INTO sla_feed_positions (name, position) VALUES (?, ?) ON CONFLICT (name) "
            "DO UPDATE SET position = excluded.position WHERE excluded.position > "
            "sla_feed_positions.position", (name, position))

    # ----- alert index -----

    def upsert_alert(self, cur: Cursor, row: dict[str, Any]) -> None:
        columns = ", ".join(ALERT_COLUMNS)
        marks = ", ".join("?" for _ in ALERT_COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in ALERT_COLUMNS if c != "alert_id")
        cur.execute(
            f"INSERT INTO sla_alerts ({columns}) VALUES ({marks}) ON CONFLICT (alert_id) "
            f"DO UPDATE SET {updates} WHERE excluded.version > sla_alerts.version",
            [row[c] for c in ALERT_COLUMNS])

    def alert_row(self, alert_id: str) -> dict[str, Any] | None:
        rows = self.db.query(
            f"SELECT {', '.join(ALERT_COLUMNS)} FROM sla_alerts WHERE alert_id = ?", (alert_id,))
        return dict(zip(ALERT_COLUMNS, rows[0], strict=True)) if rows else None

    def list_alerts(self, *, states: Iterable[str] = (), team: str = "", inquiry_id: str = "",
                    raised_from: float | None = None, raised_to: float | None = None,
                    limit: int = 100, before: tuple[float, str] | None = None
                    ) -> list[dict[str, Any]]:
        """Newest first; ``before`` = (raised_at, alert_id) of the last row of the previous page."""
        where, params = ["1 = 1"], []
        states = list(states)
        if states:
            where.append(f"state IN ({', '.join('?' for _ in states)})")
            params += states
        for column, value in (("team", team), ("inquiry_id", inquiry_id)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if raised_from is not None:
            where.append("raised_at >= ?")
            params.append(raised_from)
        if raised_to is not None:
            where.append("raised_at < ?")
            params.append(raised_to)
        if before is not None:
            where.append("(raised_at < ? OR (raised_at = ? AND alert_id < ?))")
            params += [before[0], before[0], before[1]]
        rows = self.db.query(
            f"SELECT {', '.join(ALERT_COLUMNS)} FROM sla_alerts WHERE {' AND '.join(where)} "
            f"ORDER BY raised_at DESC, alert_id DESC LIMIT ?", [*params, limit])
        return [dict(zip(ALERT_COLUMNS, r, strict=True)) for r in rows]

    def scheduled_alerts(self) -> list[tuple[str, float]]:
        return [(a, float(t)) for a, t in self.db.query(
            "SELECT alert_id, next_action_at FROM sla_alerts WHERE next_action_at IS NOT NULL")]

    # ----- pending notifications (waiting for their group window) -----

    def add_pending(self, cur: Cursor, pending_id: str, team: str, channel: str, address: str,
                    alert_id: str, facts: dict[str, Any], created_at: float) -> None:
        cur.execute(
            "INSERT INTO sla_pending_notifications (pending_id, team, channel, address, "
            "alert_id, facts_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (pending_id) DO NOTHING",
            (pending_id, team, channel, address, alert_id,
             json.dumps(facts, ensure_ascii=False), created_at))

    def oldest_pending(self) -> float | None:
        rows = self.db.query("SELECT MIN(created_at) FROM sla_pending_notifications")
        return float(rows[0][0]) if rows and rows[0][0] is not None else None

    def ripe_groups(self, cutoff: float) -> list[tuple[str, str, str]]:
        """(team, channel, address) groups whose first pending row is older than ``cutoff``."""
        return [(t, c, a) for t, c, a in self.db.query(
            "SELECT team, channel, address FROM sla_pending_notifications "
            "GROUP BY team, channel, address HAVING MIN(created_at) <= ?", (cutoff,))]

    def take_group(self, cur: Cursor, team: str, channel: str, address: str
                   ) -> list[tuple[str, dict[str, Any]]]:
        """Remove and return one group's rows; another instance taking it too gets nothing."""
        rows = cur.execute(
            "SELECT pending_id, facts_json FROM sla_pending_notifications WHERE team = ? AND "
            "channel = ? AND address = ? ORDER BY created_at, pending_id",
            (team, channel, address)).fetchall()
        taken = []
        for pending_id, facts_json in rows:
            deleted = cur.execute(
                "DELETE FROM sla_pending_notifications WHERE pending_id = ?", (pending_id,))
            if deleted.rowcount == 1:
                taken.append((pending_id, json.loads(facts_json)))
        return taken

    # ----- deliveries -----

    def add_delivery(self, cur: Cursor, delivery_id: str, key: str, team: str, channel: str,
                     address: str, subject: str, body: str, payload: dict[str, Any],
                     now: float) -> None:
        cur.execute(
            "INSERT INTO sla_deliveries (delivery_id, notification_key, team, channel, address, "
            "subject, body, payload_json, state, attempts, next_attempt_at, lease_until, "
            "last_error, created_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, ?, "
            "0, '', ?, NULL) ON CONFLICT (delivery_id) DO NOTHING",
            (delivery_id, key, team, channel, address, subject, body,
             json.dumps(payload, ensure_ascii=False), now, now))

    def queue_heartbeat(self, delivery_id: str, channel: str, address: str, title: str,
                        text: str, payload: dict[str, Any], now: float) -> None:
        """A heartbeat notification, sent like any other (retries, visible failures)."""
        with self.db.transaction() as cur:
            self.add_delivery(cur, delivery_id, delivery_id, "heartbeat", channel, address,
                              title, text, payload, now)

    def claim(self, channel: str, now: float, lease_seconds: float, limit: int = 10
              ) -> list[Delivery]:
        """Claim due deliveries of one channel with a lease (compare-and-set per row)."""
        rows = self.db.query(
            "SELECT delivery_id, notification_key, channel, address, subject, body, "
            "payload_json, attempts FROM sla_deliveries WHERE state = 'PENDING' AND channel = ? "
            "AND next_attempt_at <= ? AND lease_until <= ? ORDER BY next_attempt_at LIMIT ?",
            (channel, now, now, limit))
        claimed = []
        for row in rows:
            with self.db.transaction() as cur:
                done = cur.execute(
                    "UPDATE sla_deliveries SET lease_until = ?, attempts = attempts + 1 "
                    "WHERE delivery_id = ? AND state = 'PENDING' AND lease_until <= ?",
                    (now + lease_seconds, row[0], now))
                if done.rowcount == 1:
                    claimed.append(Delivery(row[0], row[1], row[2], row[3], row[4], row[5],
                                            json.loads(row[6]), int(row[7]) + 1))
        return claimed

    def mark_sent(self, delivery_id: str, now: float) -> None:
        with self.db.transaction() as cur:
            cur.execute("UPDATE sla_deliveries SET state = 'SENT', sent_at = ?, lease_until = 0, "
                        "last_error = '' WHERE delivery_id = ?", (now, delivery_id))

    def mark_failed(self, delivery_id: str, error: str, retry_at: float | None) -> None:
        with self.db.transaction() as cur:
            if retry_at is None:
                cur.execute("UPDATE sla_deliveries SET state = 'FAILED', lease_until = 0, "
                            "last_error = ? WHERE delivery_id = ?", (error[:1000], delivery_id))
            else:
                cur.execute("UPDATE sla_deliveries SET next_attempt_at = ?, lease_until = 0, "
                            "last_error = ? WHERE delivery_id = ?",
                            (retry_at, error[:1000], delivery_id))

    def deliveries(self, notification_key: str = "", alert_id: str = "") -> list[dict[str, Any]]:
        cols = ("delivery_id", "notification_key", "team", "channel", "address", "subject",
                "state", "attempts", "last_error", "created_at", "sent_at", "payload_json")
        where, params = "1 = 1", []
        if notification_key:
            where, params = "notification_key = ?", [notification_key]
        elif alert_id:
            where, params = "payload_json LIKE ?", [f'%"{alert_id}"%']
        rows = self.db.query(f"SELECT {', '.join(cols)} FROM sla_deliveries WHERE {where} "
                             "ORDER BY created_at", params)
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def delivery_counts(self) -> dict[tuple[str, str], int]:
        return {(c, s): int(n) for c, s, n in self.db.query(
            "SELECT channel, state, COUNT(*) FROM sla_deliveries GROUP BY channel, state")}
