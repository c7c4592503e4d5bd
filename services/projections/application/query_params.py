"""Check a query's text parameters and carry paging state between calls (pure).

Parameters arrive as text (a gRPC ``map<string, string>``, ``--param name=value`` on the
command line) and are checked here once for every read model, so each ``QuerySpec.run``
receives values of the right type and never has to report a caller's mistake itself.
Every mistake of a request is reported together, each naming ``params.<name>``, so a
caller fixes them in one round trip.

Page tokens carry the next offset plus a short hash of the query and its checked
parameters: a token replayed with other filters would silently page through a different
result, so it is refused instead.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from madoguchi import page_tokens
from madoguchi.errors import InvalidField
from services.projections.application.read_models import Param, QuerySpec

MAX_TEXT = 1000             # characters in one text value
FIRST_YEAR, LAST_YEAR = 1900, 2999
MAX_RAW = 10_000            # characters in one parameter's raw text (all repeated values)
MAX_VALUES = 200            # values of one repeated parameter
MAX_INT = 10**15            # whole numbers stay exact as JSON numbers and fit SQL BIGINT
MAX_OFFSET = 10**9
_BOOL = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_INT = re.compile(r"[+-]?\d{1,20}")          # \d: full-width digits (１２) are fine too
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


class _Bad(ValueError):
    """One value's violation message; ``check_params`` adds the field name."""


def _shown(value: str, limit: int = 40) -> str:
    """The value quoted in a message, cut short so a huge input stays a short message."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _text(value: str, limit: int = MAX_TEXT) -> str:
    if "\x00" in value:
        raise _Bad("must not contain NUL characters")
    if len(value) > limit:
        raise _Bad(f"must be at most {limit} characters")
    return value


def _int(value: str, low: int = -MAX_INT, high: int = MAX_INT) -> int:
    if not _INT.fullmatch(value):
        raise _Bad(f"must be a whole number, not {_shown(value)}")
    number = int(value)
    if not low <= number <= high:
        raise _Bad(f"must be between {low} and {high}")
    return number


def _year(year: int) -> None:
    """Reports cover the years a service desk can have: a far year is a typo, and would
    overflow date arithmetic further on (month ends, ages)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _Bad(f"must be in the years {FIRST_YEAR}–{LAST_YEAR}")


def _time(value: str) -> datetime:
    example = "e.g. 2025-04-01T09:00:00+09:00 or 2025-04-01T00:00:00Z"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(f"must be an ISO 8601 time with a zone, {example}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _Bad(f"needs an explicit zone (Z or +09:00), {example}")
    _year(moment.year)
    return moment.astimezone(UTC)


def _date(value: str) -> date:
    if not _DATE.fullmatch(value):
        raise _Bad("must be YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise _Bad(f"is not a calendar date: {_shown(value)}") from None
    _year(day.year)
    return day


def _month(value: str) -> str:
    match = _MONTH.fullmatch(value)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise _Bad("must be YYYY-MM")
    _year(int(match[1]))
    return value


def _enum(value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise _Bad(f"must be one of {', '.join(choices)}; not {_shown(value)}")
    return value


def _bool(value: str) -> bool:
    try:
        return _BOOL[value.lower()]
    except KeyError:
        raise _Bad("must be true or false (or 1/0, yes/no)") from None


def convert(param: Param, value: str) -> Any:
    """One value of ``param`` from its text; raises ``_Bad`` (a ValueError) with the reason."""
    if param.kind == "text":
        return _text(value, param.max_length or MAX_TEXT)
    value = value.strip()
    if param.kind == "int":
        return _int(value, *(param.bounds or (-MAX_INT, MAX_INT)))
    if param.kind == "time":
        return _time(value)
    if param.kind == "date":
        return _date(value)
    if param.kind == "month":
        return _month(value)
    if param.kind == "enum":
        return _enum(value, param.choices)
    if param.kind == "bool":
        return _bool(value)
    raise ValueError(f"parameter {param.name} has unknown kind {param.kind!r}")  # spec bug


def _values(param: Param, raw: str) -> Any:
    """All values of a repeated parameter (comma-separated; blanks and repeats dropped)."""
    if not param.repeated:
        return convert(param, raw)
    items = [item.strip() for item in raw.split(",")]
    items = list(dict.fromkeys(item for item in items if item))
    if len(items) > MAX_VALUES:
        raise _Bad(f"must have at most {MAX_VALUES} values")
    values, problems = [], []
    for item in items:
        try:
            values.append(convert(param, item))
        except _Bad as error:
            problems.append(str(error))
    if problems:
        # One message per field: the distinct reasons, in order.
        raise _Bad("; ".join(dict.fromkeys(problems)))
    return values


def check_params(spec: QuerySpec, raw: Mapping[str, str]) -> dict[str, Any]:
    """``spec``'s parameters converted from ``raw`` text, or InvalidField listing every
    mistake (unknown names, required ones missing, values not of their kind).

    An empty or blank value counts as omitted, so ``--param team=`` means "no filter";
    omitted optional parameters get ``Param.default``.
    """
    known = {param.name: param for param in spec.params}
    violations: list[tuple[str, str]] = []
    accepted = ", ".join(known) or "no parameters"
    for name in sorted(set(raw) - set(known)):
        violations.append((f"params.{name[:64]}",
                           f"unknown parameter of {spec.name}; it accepts: {accepted}"))
    checked: dict[str, Any] = {}
    for name, param in known.items():
        text = raw.get(name, "")
        if not text.strip():
            if param.required:
                violations.append((f"params.{name}", "is required"))
            checked[name] = param.default
            continue
        limit = max(MAX_RAW, param.max_length)
        if len(text) > limit:
            violations.append((f"params.{name}", f"must be at most {limit} characters"))
            continue
        try:
            checked[name] = _values(param, text)
        except _Bad as error:
            violations.append((f"params.{name}", str(error)))
    if violations:
        raise InvalidField(violations)
    return checked


# ----- page tokens -----

def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    return str(value)


def _fingerprint(query: str, params: Mapping[str, Any]) -> str:
    """A short hash of the query and its checked parameters (not a secret: a guard)."""
    text = json.dumps([query, dict(params)], sort_keys=True, ensure_ascii=False,
                      default=_canonical)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def encode_page_token(query: str, params: Mapping[str, Any], offset: int) -> str:
    """An opaque token for the page starting at ``offset`` of ``query`` with ``params``
    (the checked parameters from ``check_params``)."""
    return page_tokens.encode([_fingerprint(query, params), offset])


def _offset_and_fingerprint(values: list[Any]) -> tuple[int, str]:
    fingerprint, offset = values
    if not isinstance(fingerprint, str) or type(offset) is not int \
            or not 0 <= offset <= MAX_OFFSET:
        raise ValueError("not a position this service issued")
    return offset, fingerprint


def decode_page_token(token: str, query: str, params: Mapping[str, Any]) -> int:
    """The offset in ``token`` (0 for an empty token); InvalidField on ``page_token`` when
    the token is malformed or was issued for another query or other parameters."""
    found = page_tokens.decode(token, _offset_and_fingerprint)
    if found is None:
        return 0
    offset, fingerprint = found
    if fingerprint != _fingerprint(query, params):
        raise InvalidField([("page_token", "was issued for a different query or different "
                                           "params; send the same query and params as for "
                                           "the first page, or start again without a token")])
    return offset
