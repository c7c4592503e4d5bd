"""The demo's vocabulary: scenarios of API steps, their actions and outcomes, and
the day's fixed settings (hours, agreements, live targets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
OPENING = time(8, 30)           # the contact centre opens
CLOSING = time(20, 30)          # ... and closes; every step of the demo lies in between
OFFICE_CLOSING = time(17, 15)   # walk-in counter, letters and faxes: office hours only
FIRST_CONTACT_TEAM = "一次受付"
CALL_QUEUE = "コールセンター代表"
STANDARD_AGREEMENT = "citizen-standard"
PRIORITY_AGREEMENT = "citizen-priority"
RPC_TIMEOUT_SECONDS = 10.0
READY_TIMEOUT_SECONDS = 30.0
WORKERS = 8
ABANDON_RATE = 0.08             # share of offered calls where the caller hangs up
PHONE_SHARE = 0.45
LIVE_AGREEMENT = "demo-fast"    # 24×7 with short targets (seeded on the embedded default)
LIVE_FIRST_RESPONSE_SECONDS = 60   # demo-fast's targets and thresholds as seeded, to say
LIVE_RESOLUTION_SECONDS = 180      # when the alerts are expected
LIVE_WARNING_PERCENTS = (50, 90)
WATCH_SECONDS = 150.0           # default limit of the live watch
MONITOR_READY_SECONDS = 3.0     # how long to look for the SLA monitor before skipping it


class Action(StrEnum):
    """One API call; the value is the IntakeService method name."""

    RECEIVE_INQUIRY = "ReceiveInquiry"
    RECORD_CONTACT_ATTEMPT = "RecordContactAttempt"
    LOG_CONTACT = "LogContact"
    RECORD_FIRST_RESPONSE = "RecordFirstResponse"
    ASSIGN = "AssignInquiry"
    ESCALATE = "EscalateInquiry"
    PUT_ON_HOLD = "PutOnHold"
    RESUME = "ResumeInquiry"
    RESOLVE = "ResolveInquiry"
    REOPEN = "ReopenInquiry"
    CLOSE = "CloseInquiry"
    RECORD_SATISFACTION = "RecordSatisfaction"


class Outcome(StrEnum):
    """How a scenario's day goes."""

    FIRST_CONTACT = "FIRST_CONTACT"   # answered from the FAQ at first contact
    DEPARTMENT = "DEPARTMENT"         # escalated to a department, resolved later that day
    TIER2 = "TIER2"                   # escalated to support tier 2, resolved there
    OPEN = "OPEN"                     # still open when the centre closes
    REOPENED = "REOPENED"             # answered, called back, reopened, resolved by dept
    ABANDONED = "ABANDONED"           # a call where the caller hung up: no inquiry
    LIVE_BREACH = "LIVE_BREACH"       # live: never answered, so its first response breaches
    LIVE_MET = "LIVE_MET"             # live: answered in 15 s, resolved in 40 s
    LIVE_ON_HOLD = "LIVE_ON_HOLD"     # live: answered, then on hold awaiting the customer


@dataclass(frozen=True)
class Caller:
    """The (fake) person who contacted the centre."""

    name: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Step:
    """One API call of a scenario, at its real-world time (UTC)."""

    action: Action
    at: datetime
    key: str                 # deterministic; sent as idempotency_key on creating calls
    actor: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """One inquiry (or one abandoned call) of the day with its steps in time order."""

    index: int
    outcome: Outcome
    channel: str
    kind: str = ""
    category: str = ""
    subject: str = ""
    body: str = ""
    department: str = ""
    caller: Caller | None = None
    impact: str = ""
    urgency: str = ""
    agreement_id: str = ""
    external_ref: str = ""
    correlation_id: str = ""
    steps: tuple[Step, ...] = ()

    @property
    def creates_inquiry(self) -> bool:
        """True unless this is an abandoned call."""
        return self.outcome != Outcome.ABANDONED

    @property
    def started_at(self) -> datetime:
        """Time of the first step (UTC)."""
        return self.steps[0].at


# --------------------------------------------------------------------------------------
# What citizens ask about
# --------------------------------------------------------------------------------------
