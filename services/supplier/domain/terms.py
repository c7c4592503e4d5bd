"""Underpinning contract terms (ISO/IEC 20000-1 8.3.3) as a validated value.

The plain shape (API, events' ``terms_json``, docs/suppliers.md) is parsed by
``ContractTerms.from_dict``; every bad value raises ``InvalidField`` naming it, e.g.
``terms.targets[0].acknowledge_minutes``. ``to_dict`` gives the canonical form that is
stored, so two requests with the same meaning compare equal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from madoguchi.businesstime.calendar import BusinessCalendar
from madoguchi.errors import InvalidField
from services.supplier.domain.values import PRIORITIES, Limits, PenaltyRule

MAX_TARGET_MINUTES = 60 * 24 * 366
MAX_AMOUNT = 10**12
_FIELDS = {"title", "valid_from", "valid_until", "covers", "calendar", "targets",
           "warning_percents", "reminder_minutes", "penalty", "expiry_warning_days"}


@dataclass(frozen=True)
class ClockTargets:
    """Business minutes for one priority ("" = any other priority); 0 = no such target."""

    priority: str
    acknowledge_minutes: int = 0
    resolve_minutes: int = 0


@dataclass(frozen=True)
class Penalty:
    rule: str                 # FIXED: amount per breach; PER_STARTED_HOUR: per started hour
    amount: int
    currency: str = "JPY"
    monthly_cap: int = 0      # 0 = no cap


@dataclass(frozen=True)
class ContractTerms:
    valid_from: date
    valid_until: date
    title: str = ""
    covers: tuple[str, ...] = ()
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    targets: tuple[ClockTargets, ...] = ()
    warning_percents: tuple[int, ...] = (75,)
    reminder_minutes: int = 30
    penalty: Penalty | None = None
    expiry_warning_days: int = 60

    # ----- questions -----

    def targets_for(self, priority: str) -> ClockTargets | None:
        """The priority's targets, else the fallback (priority "")."""
        fallback = None
        for t in self.targets:
            if t.priority == priority:
                return t
            if t.priority == "":
                fallback = t
        return fallback

    def covers_category(self, category: str) -> bool:
        return not self.covers or category in self.covers

    def clock_terms(self, priority: str) -> dict[str, Any]:
        """What the SLA monitor measures for an engagement of this priority."""
        found = self.targets_for(priority)
        return {"calendar": self.calendar.to_dict(),
                "acknowledge_minutes": found.acknowledge_minutes if found else 0,
                "resolve_minutes": found.resolve_minutes if found else 0,
                "warning_percents": list(self.warning_percents),
                "reminder_minutes": self.reminder_minutes}

    def local_date(self, at: datetime) -> date:
        """The local date of ``at`` in the contract calendar's zone."""
        return _local(at, self.calendar.time_zone)

    def month_of(self, at: datetime) -> str:
        """Ledger month (YYYY-MM) of ``at`` in the contract calendar's zone."""
        return self.local_date(at).strftime("%Y-%m")

    # ----- plain data -----

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "covers": list(self.covers),
            "calendar": self.calendar.to_dict(),
            "targets": [{"priority": t.priority, "acknowledge_minutes": t.acknowledge_minutes,
                         "resolve_minutes": t.resolve_minutes} for t in self.targets],
            "warning_percents": list(self.warning_percents),
            "reminder_minutes": self.reminder_minutes,
            "penalty": None if self.penalty is None else {
                "rule": self.penalty.rule, "amount": self.penalty.amount,
                "currency": self.penalty.currency, "monthly_cap": self.penalty.monthly_cap},
            "expiry_warning_days": self.expiry_warning_days,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], prefix: str = "terms") -> ContractTerms:
        """Parse and validate; every violation found is reported, each naming its field."""
        if not isinstance(data, Mapping):
            raise InvalidField([(prefix, "must be an object")])
        v: list[tuple[str, str]] = []
        for name in sorted(str(k) for k in data if k not in _FIELDS):
            v.append((f"{prefix}.{name}", "is not a contract terms field"))
        title = data.get("title", "") or ""
        if not isinstance(title, str) or len(title) > Limits.TITLE:
            v.append((f"{prefix}.title", f"must be text of at most {Limits.TITLE} characters"))
            title = ""
        valid_from = _date(data.get("valid_from"), f"{prefix}.valid_from", v)
        valid_until = _date(data.get("valid_until"), f"{prefix}.valid_until", v)
        if valid_from and valid_until and valid_until < valid_from:
            v.append((f"{prefix}.valid_until", "must not be before valid_from"))
        covers = _covers(data.get("covers"), f"{prefix}.covers", v)
        calendar = BusinessCalendar()
        if data.get("calendar") is not None:
            try:
                calendar = BusinessCalendar.from_dict(data["calendar"])
            except (ValueError, TypeError) as error:
                where, _, message = str(error).partition(": ")
                if not where.startswith("calendar") or not message:
                    where, message = "calendar", str(error)
                v.append((f"{prefix}.{where}", message))
        targets = _targets(data.get("targets"), f"{prefix}.targets", v)
        percents = _ints(data.get("warning_percents", [75]), f"{prefix}.warning_percents", v)
        if percents is not None and (list(percents) != sorted(set(percents))
                                     or any(not 0 < p < 100 for p in percents)):
            v.append((f"{prefix}.warning_percents",
                      "must be increasing percentages between 1 and 99"))
        reminder = _int(data.get("reminder_minutes", 30), f"{prefix}.reminder_minutes", v,
                        0, 1440)
        penalty = _penalty(data.get("penalty"), f"{prefix}.penalty", v)
        warning_days = _int(data.get("expiry_warning_days", 60),
                            f"{prefix}.expiry_warning_days", v, 0, 366)
        if v:
            raise InvalidField(v)
        assert valid_from and valid_until and percents is not None
        return cls(valid_from=valid_from, valid_until=valid_until, title=title,
                   covers=covers, calendar=calendar, targets=targets,
                   warning_percents=percents, reminder_minutes=reminder or 0,
                   penalty=penalty, expiry_warning_days=warning_days or 0)


def terms_json(terms: Mapping[str, Any]) -> str:
    return json.dumps(terms, ensure_ascii=False, sort_keys=True)


def _local(at: datetime, zone: str) -> date:
    from zoneinfo import ZoneInfo

    return at.astimezone(ZoneInfo(zone)).date()


def _date(raw: Any, where: str, v: list[tuple[str, str]]) -> date | None:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if not isinstance(raw, str) or not raw:
        v.append((where, "is required (an ISO date, e.g. 2026-04-01)"))
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        v.append((where, f"{raw!r} is not an ISO date (YYYY-MM-DD)"))
        return None


def _int(raw: Any, where: str, v: list[tuple[str, str]], low: int, high: int) -> int | None:
    if isinstance(raw, bool) or not isinstance(raw, int):
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        else:
            v.append((where, "must be a whole number"))
            return None
    if not low <= raw <= high:
        v.append((where, f"must be between {low} and {high}"))
        return None
    return int(raw)


def _ints(raw: Any, where: str, v: list[tuple[str, str]]) -> tuple[int, ...] | None:
    if not isinstance(raw, Iterable) or isinstance(raw, (str, bytes, Mapping)):
        v.append((where, "must be a list of whole numbers"))
        return None
    values = []
    for i, item in enumerate(raw):
        value = _int(item, f"{where}[{i}]", v, -MAX_AMOUNT, MAX_AMOUNT)
        if value is None:
            return None
        values.append(value)
    return tuple(values)


def _covers(raw: Any, where: str, v: list[tuple[str, str]]) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Iterable) or isinstance(raw, (str, bytes, Mapping)):
        v.append((where, "must be a list of categories"))
        return ()
    items = list(raw)
    if len(items) > Limits.COVERS:
        v.append((where, f"must list at most {Limits.COVERS} categories"))
        return ()
    out: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip() or len(item) > Limits.CATEGORY:
            v.append((f"{where}[{i}]", f"must be a category of 1-{Limits.CATEGORY} characters"))
        elif item not in out:
            out.append(item)
    return tuple(sorted(out))


def _targets(raw: Any, where: str, v: list[tuple[str, str]]) -> tuple[ClockTargets, ...]:
    if not isinstance(raw, Iterable) or isinstance(raw, (str, bytes, Mapping)) or not raw:
        v.append((where, "needs at least one priority's targets"))
        return ()
    out: list[ClockTargets] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            v.append((at, "must be an object"))
            continue
        unknown = sorted(str(k) for k in item
                         if k not in ("priority", "acknowledge_minutes", "resolve_minutes"))
        if unknown:
            v.append((f"{at}.{unknown[0]}", "is not a target field"))
        priority = item.get("priority", "") or ""
        if priority not in ("", *PRIORITIES):
            v.append((f"{at}.priority", "must be empty (any priority) or one of "
                                        + ", ".join(PRIORITIES)))
            continue
        if priority in seen:
            v.append((f"{at}.priority", f"{priority or '(any)'} is given twice"))
        seen.add(priority)
        ack = _int(item.get("acknowledge_minutes", 0), f"{at}.acknowledge_minutes", v, 0,
                   MAX_TARGET_MINUTES)
        res = _int(item.get("resolve_minutes", 0), f"{at}.resolve_minutes", v, 0,
                   MAX_TARGET_MINUTES)
        if ack is not None and res is not None:
            out.append(ClockTargets(priority, ack, res))
    order = {p: i for i, p in enumerate((*PRIORITIES, ""))}
    return tuple(sorted(out, key=lambda t: order[t.priority]))


def _penalty(raw: Any, where: str, v: list[tuple[str, str]]) -> Penalty | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        v.append((where, "must be an object or null"))
        return None
    unknown = sorted(str(k) for k in raw
                     if k not in ("rule", "amount", "currency", "monthly_cap"))
    if unknown:
        v.append((f"{where}.{unknown[0]}", "is not a penalty field"))
    rule = raw.get("rule", "")
    if rule not in tuple(PenaltyRule):
        v.append((f"{where}.rule", "must be FIXED or PER_STARTED_HOUR"))
    amount = _int(raw.get("amount", 0), f"{where}.amount", v, 0, MAX_AMOUNT)
    cap = _int(raw.get("monthly_cap", 0), f"{where}.monthly_cap", v, 0, MAX_AMOUNT)
    currency = raw.get("currency", "JPY") or "JPY"
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha() \
            or not currency.isupper():
        v.append((f"{where}.currency", "must be an ISO 4217 code, e.g. JPY"))
    if rule not in tuple(PenaltyRule) or amount is None or cap is None:
        return None
    return Penalty(rule=str(rule), amount=amount, currency=str(currency), monthly_cap=cap)
