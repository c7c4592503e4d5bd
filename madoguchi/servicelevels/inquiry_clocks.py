"""The clocks of one inquiry under its agreement (pure): which inquiry event starts,
pauses and stops which clock.

The monitor runs this live; the projections replay it to work out deadlines and
compliance, so both always agree. See ``clock`` for how a single clock accrues time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from madoguchi.servicelevels.clock import (
    AWAITING_SUPPLIER,
    BREACH,
    Clock,
    ClockSet,
    Stop,
    _iso,
    _parse,
)
from madoguchi.servicelevels.terms import AgreementTerms, Target


@dataclass
class InquiryClocks(ClockSet):
    """Every clock of one inquiry, under the agreement version pinned at receipt."""

    inquiry_id: str
    agreement_id: str
    agreement_version: int
    priority: str
    kind: str
    category: str = ""
    department: str = ""
    subject: str = ""
    version: int = 0                          # last inquiry event version applied
    hold_reason: str = ""
    responded: bool = False
    closed: bool = False
    clocks: dict[Target, Clock] = field(default_factory=dict)
    # Engagements holding the inquiry (engaged, no outcome yet), oldest first, and since when.
    supplier_engagements: list[str] = field(default_factory=list)
    supplier_since: datetime | None = None
    supplier_done: list[str] = field(default_factory=list)   # outcomes recorded
    engagement_suppliers: dict[str, str] = field(default_factory=dict)  # of those holding

    # ----- reading -----

    def holding_engagement(self, at: datetime) -> str:
        """The engagement holding the inquiry at ``at`` if it still does; else empty."""
        if self.supplier_engagements and self.supplier_since is not None \
                and at >= self.supplier_since:
            return self.supplier_engagements[0]
        return ""

    # ----- the inquiry's life -----

    @classmethod
    def received(cls, *, inquiry_id: str, agreement_id: str, agreement_version: int,
                 terms: AgreementTerms, priority: str, kind: str, at: datetime,
                 category: str = "", department: str = "", subject: str = "",
                 version: int = 1) -> InquiryClocks:
        clocks = cls(inquiry_id=inquiry_id, agreement_id=agreement_id,
                     agreement_version=agreement_version, priority=priority, kind=kind,
                     category=category, department=department, subject=subject,
                     version=version)
        clocks._start(terms, Target.FIRST_RESPONSE, at)
        clocks._start(terms, Target.RESOLUTION, at)
        return clocks

    def _start(self, terms: AgreementTerms, target: Target, at: datetime) -> None:
        seconds = terms.target_seconds(self.priority, self.kind, target)
        if seconds <= 0:
            return
        previous = self.clocks.get(target)
        cycle = previous.cycle + 1 if previous else 1
        clock = Clock(target=target, cycle=cycle, target_seconds=seconds, started_at=at,
                      since=at)
        clock.supplier_held = bool(self.supplier_engagements)
        if self.hold_reason and target in terms.pauses_for(self.hold_reason):
            clock.pause(terms.calendar, at)
        self.clocks[target] = clock

    def _stop(self, terms: AgreementTerms, target: Target, at: datetime,
              cancel: bool = False) -> list[Stop]:
        return self._stop_clock(terms.calendar, target, at, cancel)

    def first_response(self, terms: AgreementTerms, at: datetime) -> list[Stop]:
        if self.responded:
            return []
        self.responded = True
        stops = self._stop(terms, Target.FIRST_RESPONSE, at)
        if not self.closed:
            self._start(terms, Target.UPDATE, at)
        return stops

    def responded_again(self, terms: AgreementTerms, at: datetime) -> list[Stop]:
        """An outbound contact after the first response restarts the update clock."""
        if not self.responded:
            return []
        stops = self._stop(terms, Target.UPDATE, at)
        self._start(terms, Target.UPDATE, at)
        return stops

    def put_on_hold(self, terms: AgreementTerms, reason: str, at: datetime) -> None:
        self.hold_reason = reason
        for target in terms.pauses_for(reason):
            clock = self.clocks.get(target)
            if clock is not None and clock.is_open:
                clock.pause(terms.calendar, at)

    def resumed(self, at: datetime) -> None:
        self.hold_reason = ""
        for clock in self.open_clocks():
            clock.resume(at)

    def supplier_engaged(self, terms: AgreementTerms, engagement_id: str, held: bool,
                         at: datetime, supplier_id: str = "") -> None:
        """A supplier took the inquiry on; ``held``: intake put it on hold for them."""
        if held:
            self.put_on_hold(terms, AWAITING_SUPPLIER, at)
        if (not engagement_id or engagement_id in self.supplier_engagements
                or engagement_id in self.supplier_done):
            return   # repeated, or its outcome came first: the supplier holds nothing
        if not self.supplier_engagements:
            self.supplier_since = at
            for clock in self.open_clocks():
                clock.hold_by_supplier(terms.calendar, at, True)
        self.supplier_engagements.append(engagement_id)
        if supplier_id:
            self.engagement_suppliers[engagement_id] = supplier_id

    def supplier_outcome(self, terms: AgreementTerms, engagement_id: str, resumed: bool,
                         at: datetime) -> None:
        """The supplier's outcome was recorded; ``resumed``: intake ended their hold."""
        if engagement_id and engagement_id not in self.supplier_done:
            self.supplier_done.append(engagement_id)
        if engagement_id in self.supplier_engagements:
            self.supplier_engagements.remove(engagement_id)
            self.engagement_suppliers.pop(engagement_id, None)
            if not self.supplier_engagements:
                self.supplier_since = None
                for clock in self.open_clocks():
                    clock.hold_by_supplier(terms.calendar, at, False)
        if resumed:
            self.resumed(at)

    def resolved(self, terms: AgreementTerms, at: datetime) -> list[Stop]:
        self.hold_reason = ""
        stops = self._stop(terms, Target.FIRST_RESPONSE, at)
        self.responded = True   # a resolution answers the contact
        stops += self._stop(terms, Target.RESOLUTION, at)
        stops += self._stop(terms, Target.UPDATE, at)
        return stops

    def reopened(self, terms: AgreementTerms, at: datetime) -> None:
        self._start(terms, Target.RESOLUTION, at)
        self._start(terms, Target.UPDATE, at)

    def closed_at(self, terms: AgreementTerms, at: datetime) -> list[Stop]:
        self.closed = True
        stops: list[Stop] = []
        for target in list(self.clocks):
            stops += self._stop(terms, target, at, cancel=True)
        return stops

    def retarget(self, terms: AgreementTerms, at: datetime, *, priority: str | None = None,
                 agreement_version: int | None = None) -> list[Stop]:
        """New priority (or agreement terms): open clocks keep their elapsed time and signals.

        A clock whose target no longer exists is cancelled; a target that did not exist
        before is not started retroactively (its start would be a guess).
        """
        if priority is not None:
            self.priority = priority
        if agreement_version is not None:
            self.agreement_version = agreement_version
        stops: list[Stop] = []
        for clock in self.open_clocks():
            clock._accrue(terms.calendar, at)
            seconds = terms.target_seconds(self.priority, self.kind, clock.target)
            if seconds <= 0:
                stops.append(clock.stop(terms.calendar, at, cancel=True))
            else:
                clock.target_seconds = seconds
                if (clock.breached_at is None and clock.fired_percent < BREACH
                        and clock.elapsed > seconds):
                    clock.breached_at = at   # the new target is already passed
        return stops

    def apply_event(self, terms: AgreementTerms, event_type: str, record: dict[str, Any],
                    at: datetime) -> list[Stop]:
        """What one inquiry event (after receipt) does to the clocks; the stops it made.

        The one mapping from inquiry events to clock operations: the monitor runs it live,
        the projections replay it (next deadlines, what-if).
        """
        if event_type == "InquiryFirstResponseRecorded":
            return self.first_response(terms, at)
        if event_type == "InquiryContactLogged":
            if record.get("direction") == "OUTBOUND":
                return self.responded_again(terms, at)
        elif event_type == "InquiryPutOnHold":
            self.put_on_hold(terms, str(record.get("reason", "")), at)
        elif event_type == "InquiryResumed":
            self.resumed(at)
        elif event_type == "InquirySupplierEngaged":
            self.supplier_engaged(terms, str(record.get("engagement_id", "")),
                                  bool(record.get("held")), at,
                                  supplier_id=str(record.get("supplier_id", "")))
        elif event_type == "InquirySupplierOutcomeRecorded":
            self.supplier_outcome(terms, str(record.get("engagement_id", "")),
                                  bool(record.get("resumed")), at)
        elif event_type == "InquiryResolved":
            return self.resolved(terms, at)
        elif event_type == "InquiryReopened":
            self.reopened(terms, at)
        elif event_type == "InquiryClosed":
            return self.closed_at(terms, at)
        elif event_type == "InquiryPriorityChanged" and record.get("priority"):
            return self.retarget(terms, at, priority=str(record["priority"]))
        return []

    # ----- plain data -----

    def to_dict(self) -> dict[str, Any]:
        return {
            "inquiry_id": self.inquiry_id, "agreement_id": self.agreement_id,
            "agreement_version": self.agreement_version, "priority": self.priority,
            "kind": self.kind, "category": self.category, "department": self.department,
            "subject": self.subject, "version": self.version,
            "hold_reason": self.hold_reason, "responded": self.responded,
            "closed": self.closed, "clocks": [c.to_dict() for c in self.clocks.values()],
            "supplier_engagements": list(self.supplier_engagements),
            "supplier_since": _iso(self.supplier_since),
            "supplier_done": list(self.supplier_done),
            "engagement_suppliers": dict(self.engagement_suppliers),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InquiryClocks:
        clocks = [Clock.from_dict(c) for c in data["clocks"]]
        return cls(
            inquiry_id=data["inquiry_id"], agreement_id=data["agreement_id"],
            agreement_version=int(data["agreement_version"]), priority=data["priority"],
            kind=data["kind"], category=data.get("category", ""),
            department=data.get("department", ""), subject=data.get("subject", ""),
            version=int(data["version"]), hold_reason=data.get("hold_reason", ""),
            responded=bool(data.get("responded")), closed=bool(data.get("closed")),
            clocks={c.target: c for c in clocks},
            supplier_engagements=list(data.get("supplier_engagements") or []),
            supplier_since=_parse(data.get("supplier_since")),
            supplier_done=list(data.get("supplier_done") or []),
            engagement_suppliers=dict(data.get("engagement_suppliers") or {}),
        )
