"""Value types of the supplier domain: codes, statuses, ids and documented size limits."""

from __future__ import annotations

import re
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from madoguchi.errors import InvalidField

SUPPLIER_NAMESPACE = uuid5(NAMESPACE_URL, "https://madoguchi.invalid/supplier/supplier")
CONTRACT_NAMESPACE = uuid5(NAMESPACE_URL, "https://madoguchi.invalid/supplier/contract")
REVIEW_NAMESPACE = uuid5(NAMESPACE_URL, "https://madoguchi.invalid/supplier/review")
ENGAGEMENT_NAMESPACE = uuid5(NAMESPACE_URL, "https://madoguchi.invalid/supplier/engagement")
LEDGER_NAMESPACE = uuid5(NAMESPACE_URL, "https://madoguchi.invalid/supplier/penalty-ledger")

CODE_PATTERN = re.compile(r"^[a-z0-9._-]{2,64}$")
CONTRACT_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")


class Limits:
    """Documented size limits, counted in Unicode characters (not bytes)."""

    NAME = 200
    SERVICE = 100
    SERVICES = 50
    CONTACTS = 20
    CONTACT_FIELD = 254
    TITLE = 200
    CATEGORY = 100
    COVERS = 200
    REASON = 1_000
    NOTE = 10_000
    RESOLUTION = 10_000
    FINDINGS = 20_000
    ATTENDEES = 50
    ACTIONS = 100
    DESCRIPTION = 2_000
    IDEMPOTENCY_KEY = 128
    ACTOR = 100
    CORRELATION_ID = 128
    PAGE_SIZE = 500


class Coverage(StrEnum):
    COVERED = "COVERED"
    NO_CONTRACT = "NO_CONTRACT"
    UNKNOWN_SUPPLIER = "UNKNOWN_SUPPLIER"
    SUPPLIER_RETIRED = "SUPPLIER_RETIRED"


class EngagementStatus(StrEnum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"
    HANDED_BACK = "HANDED_BACK"
    WITHDRAWN = "WITHDRAWN"


OPEN_ENGAGEMENT = frozenset({EngagementStatus.OPEN, EngagementStatus.ACKNOWLEDGED})


class ContractStatus(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    TERMINATED = "TERMINATED"


class ActionStatus(StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    DROPPED = "DROPPED"


class PenaltyRule(StrEnum):
    FIXED = "FIXED"
    PER_STARTED_HOUR = "PER_STARTED_HOUR"


class ClockTarget(StrEnum):
    ACKNOWLEDGE = "ACKNOWLEDGE"
    RESOLVE = "RESOLVE"


def check_supplier_code(value: str, field: str = "supplier_id") -> None:
    if not isinstance(value, str) or not CODE_PATTERN.match(value):
        raise InvalidField([(field, "must be 2-64 characters of a-z, 0-9, '-', '_' or '.'")])


def check_contract_code(value: str, field: str = "contract_id") -> None:
    if not isinstance(value, str) or not CONTRACT_CODE_PATTERN.match(value):
        raise InvalidField([(field, "must be 2-64 letters, digits, '.', '_' or '-', "
                                    "starting with a letter or digit")])


def check_text(violations: list[tuple[str, str]], field: str, value: str, limit: int,
               required: bool = False) -> None:
    """Append a violation when ``value`` is missing (if required) or longer than ``limit``."""
    if not isinstance(value, str):
        violations.append((field, "must be text"))
    elif required and not value.strip():
        violations.append((field, "is required"))
    elif len(value) > limit:
        violations.append((field, f"must be at most {limit} characters"))


def supplier_uuid(supplier_id: str) -> UUID:
    return uuid5(SUPPLIER_NAMESPACE, supplier_id)


def contract_uuid(contract_id: str) -> UUID:
    return uuid5(CONTRACT_NAMESPACE, contract_id)


def review_uuid(idempotency_key: str) -> UUID:
    return uuid5(REVIEW_NAMESPACE, idempotency_key)


def engagement_uuid(inquiry_id: str, escalation_version: int) -> UUID:
    """One engagement per escalation event: a replayed escalation finds the same id."""
    return uuid5(ENGAGEMENT_NAMESPACE, f"{inquiry_id}/{int(escalation_version)}")


def ledger_uuid(contract_id: str, month: str) -> UUID:
    return uuid5(LEDGER_NAMESPACE, f"{contract_id}/{month}")
