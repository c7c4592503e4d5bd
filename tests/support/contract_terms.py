"""A supplier contract's terms as plain data, with any field changed."""

from __future__ import annotations

from typing import Any


def terms(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "コールセンター運営業務委託", "valid_from": "2026-04-01",
        "valid_until": "2027-03-31", "covers": ["住民票・戸籍", "税"],
        "calendar": {"time_zone": "Asia/Tokyo", "holiday_country": "JP"},
        "targets": [{"priority": "P1", "acknowledge_minutes": 30, "resolve_minutes": 240},
                    {"priority": "", "acknowledge_minutes": 60, "resolve_minutes": 960}],
        "warning_percents": [75], "reminder_minutes": 30,
        "penalty": {"rule": "FIXED", "amount": 50000, "currency": "JPY",
                    "monthly_cap": 300000},
        "expiry_warning_days": 60}
    base.update(changes)
    return base
