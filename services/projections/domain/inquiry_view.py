"""The inquiry read model: fold inquiry events, in version order, into one row.

Records here are JSON-able dicts (times as ISO 8601 strings), so the same fold runs on
a freshly decoded event and on a timeline row stored earlier and applied late.
"""

from __future__ import annotations

from typing import Any

ENVELOPE = ("event_id", "aggregate_id", "aggregate_version", "recorded_at", "occurred_at",
            "actor", "correlation_id")


def new_view(inquiry_id: str) -> dict[str, Any]:
    return {
        "inquiry_id": inquiry_id, "version": 0, "status": "", "channel": "", "kind": "",
        "subject": "", "body": "", "category": "", "department": "", "priority": "",
        "agreement_id": "", "received_at": None, "first_response_at": None,
        "resolved_at": None, "closed_at": None, "team": "", "assignee": "", "tier": 1,
        "escalated_department": "", "supplier_id": "", "hold_reason": "",
        "resolved_at_first_contact": False, "contact_count": 0,
        "escalation_count": 0, "reopen_count": 0, "satisfaction_score": None,
        "faq_entry_id": "", "updated_at": None,
    }


def open_status(v: dict[str, Any]) -> str:
    """The status of an open inquiry by its facts (as the Inquiry aggregate decides it)."""
    if v["escalation_count"]:
        return "ESCALATED"
    if v["team"]:
        return "ASSIGNED"
    if v["first_response_at"]:
        return "RESPONDED"
    return "RECEIVED"


def apply(view: dict[str, Any], event_type: str, r: dict[str, Any]) -> dict[str, Any]:
    """Return the view after one event (``r`` is the JSON-able event record)."""
    v = dict(view)
    at = r.get("occurred_at")
    if event_type == "InquiryReceived":
        v.update(
            status="RECEIVED", channel=r["channel"], kind=r["kind"], subject=r["subject"],
            body=r.get("body", ""), category=r["category"], department=r.get("department", ""),
            priority=r["priority"], agreement_id=r["agreement_id"],
            received_at=r.get("contacted_at") or at, contact_count=1,
        )
    elif event_type == "InquiryContactLogged":
        v["contact_count"] += 1
    elif event_type == "InquiryFirstResponseRecorded":
        v["first_response_at"] = at
        if v["status"] == "RECEIVED":
            v["status"] = "RESPONDED"
    elif event_type == "InquiryAssigned":
        v.update(team=r["team"], assignee=r.get("assignee", ""))
        if v["status"] in ("RECEIVED", "RESPONDED"):
            v["status"] = "ASSIGNED"
    elif event_type == "InquiryEscalated":
        v.update(status="ESCALATED", tier=r["to_tier"])
        v["escalation_count"] += 1
        if r["target"] == "DEPARTMENT":
            v["escalated_department"] = r["to_department"]
        if r["target"] == "SUPPLIER":
            v["supplier_id"] = r["to_supplier_id"]
    elif event_type == "InquiryPriorityChanged":
        v["priority"] = r["priority"]
    elif event_type == "InquiryPutOnHold":
        v.update(status="ON_HOLD", hold_reason=r["reason"])
    elif event_type == "InquiryResumed":
        v.update(status=open_status(v), hold_reason="")
    elif event_type == "InquirySupplierEngaged":
        if r.get("supplier_id"):
            v["supplier_id"] = r["supplier_id"]
        if r.get("held"):
            v.update(status="ON_HOLD", hold_reason="AWAITING_SUPPLIER")
    elif event_type == "InquirySupplierOutcomeRecorded":
        if r.get("resumed"):
            v.update(status=open_status(v), hold_reason="")
    elif event_type == "InquiryResolved":
        v.update(status="RESOLVED", resolved_at=at, hold_reason="",
                 faq_entry_id=r.get("faq_entry_id", ""),
                 resolved_at_first_contact=bool(r.get("at_first_contact")))
    elif event_type == "InquiryReopened":
        v["status"] = open_status(v)
        v.update(resolved_at=None, resolved_at_first_contact=False)
        v["reopen_count"] += 1
    elif event_type == "InquiryClosed":
        v.update(status="CLOSED", closed_at=at)
    elif event_type == "InquirySatisfactionRecorded":
        v["satisfaction_score"] = int(r["score"])
    v["version"] = int(r["aggregate_version"])
    v["updated_at"] = r.get("recorded_at")
    return v


def timeline_details(record: dict[str, Any]) -> dict[str, Any]:
    """The event's own fields, without the envelope, for a timeline entry."""
    return {k: val for k, val in record.items() if k not in ENVELOPE}
