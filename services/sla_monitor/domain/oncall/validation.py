"""Checking on-call set-ups: the error that names the field, limits, and the checks of
text, e-mail addresses, URLs, zones and times every part uses."""


from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from madoguchi.errors import InvalidField
from madoguchi.servicelevels.clock import SupplierTarget
from madoguchi.servicelevels.terms import Target

DEFAULT_TIME_ZONE = "Asia/Tokyo"
TARGETS = tuple(t.value for t in (*Target, *SupplierTarget))   # customer, then supplier
ALERT_KINDS = ("WARNING", "BREACH", "REMINDER", "ESCALATION")
ROTATION = "rotation"            # escalation target: whoever is on call in the team's rotation
USER_PREFIX = "user:"            # escalation target: one person, "user:<person id>"
MAX_SHIFT_HOURS = 24 * 366
MAX_ESCALATION_MINUTES = 7 * 24 * 60
MAX_SUBJECT_IN_TITLE = 120

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
EMAIL_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+$")
TICK = timedelta(microseconds=1)


class OnCallError(InvalidField, ValueError):
    """A value breaks a rule; ``field`` names it, e.g. ``team.escalation[1].after_minutes``."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__([(field_name, message)])
        self.field = field_name
        self.message = message

    def __str__(self) -> str:
        return f"{self.field} {self.message}"

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.field, self.message)




# ----- helpers -----


@contextmanager
def inside_field(where: str) -> Iterator[None]:
    """Name a nested value's error after where it sits: ``rotation.x`` → ``team.rotation.x``."""
    try:
        yield
    except OnCallError as error:
        rest = error.field.partition(".")[2]
        raise OnCallError(f"{where}.{rest}" if rest else where, error.message) from None


def fields_of(data: Any, where: str, required: Sequence[str],
            optional: Sequence[str]) -> dict[str, Any]:
    """A copy of ``data``'s fields; a missing or unknown one (a typo) is an error."""
    if not isinstance(data, Mapping):
        raise OnCallError(where, "must be an object")
    for name in required:
        if name not in data:
            raise OnCallError(f"{where}.{name}", "is required")
    for name in data:
        if name not in required and name not in optional:
            raise OnCallError(f"{where}.{name}", "is not a known field")
    return dict(data)


def list_of(value: Any, where: str) -> tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise OnCallError(where, "must be a list")
    return tuple(value)


def ids_of(values: Any, where: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    """A tuple of non-blank texts (a bare text would be read letter by letter)."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise OnCallError(where, "must be a list of texts")
    values = tuple(values)
    if not values and not allow_empty:
        raise OnCallError(where, "needs at least one entry")
    for i, value in enumerate(values):
        check_text(value, f"{where}[{i}]")
    return values


def check_text(value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise OnCallError(where, "must be text")
    if not value.strip():
        raise OnCallError(where, "is required")
    if CONTROL_CHARACTERS.search(value):
        raise OnCallError(where, "must not contain control characters")


def choice_of(value: Any, allowed: Sequence[str], where: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise OnCallError(where, f"must be one of {', '.join(allowed)}")
    return allowed[allowed.index(value)]   # a StrEnum member becomes the plain text


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_email(value: Any, where: str) -> None:
    if not isinstance(value, str) or (value and not EMAIL_ADDRESS.match(value)):
        raise OnCallError(where, "must be an e-mail address like name@example.jp")


def check_url(value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise OnCallError(where, "must be text")
    if not value:
        return
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname
            or any(c.isspace() for c in value) or CONTROL_CHARACTERS.search(value)):
        raise OnCallError(where, "must be an http:// or https:// URL")


def zone_named(name: Any, where: str) -> ZoneInfo:
    try:
        if not isinstance(name, str) or not name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise OnCallError(where, f"{name!r} is not an IANA time zone name") from None


def utc_of(value: Any, where: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise OnCallError(where, "must be a timezone-aware datetime")
    return value.astimezone(UTC)


def parse_time(value: Any, where: str, zone: ZoneInfo | None) -> datetime:
    """ISO 8601 text (or a datetime); naive ones are read in ``zone`` if one is given."""
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise OnCallError(where, "must be an ISO 8601 date and time") from None
    if isinstance(moment, datetime) and moment.utcoffset() is None and zone is not None:
        moment = moment.replace(tzinfo=zone)
    return utc_of(moment, where)


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def local_text(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.isoformat(sep=' ', timespec='minutes')} ({local.tzname()})"


def one_line(text: str) -> str:
    """No line breaks or control characters (they would break e-mail headers)."""
    return re.sub(" {2,}", " ", CONTROL_CHARACTERS.sub(" ", text)).strip()


def shorten(text: str) -> str:
    if len(text) <= MAX_SUBJECT_IN_TITLE:
        return text
    return text[:MAX_SUBJECT_IN_TITLE - 1].rstrip() + "…"
