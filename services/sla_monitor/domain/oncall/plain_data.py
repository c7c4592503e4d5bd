"""On-call set-ups as plain data (seed file, directory events, webhook payloads), and back."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.sla_monitor.domain.oncall.rotation import Rotation
from services.sla_monitor.domain.oncall.routing import AlertFacts, RouteRule
from services.sla_monitor.domain.oncall.teams import EscalationLevel, Person, Team
from services.sla_monitor.domain.oncall.validation import (
    DEFAULT_TIME_ZONE,
    fields_of,
    inside_field,
    iso_z,
    list_of,
    parse_time,
    zone_named,
)

# ----- plain data (seed file, directory events, webhook payloads) -----


def person_to_dict(person: Person) -> dict[str, Any]:
    return {"id": person.id, "name": person.name, "email": person.email,
            "webhook_url": person.webhook_url}


def person_from_dict(data: Mapping[str, Any]) -> Person:
    raw = fields_of(data, "person", ("id", "name"), ("email", "webhook_url"))
    return Person(**raw)


def rotation_to_dict(rotation: Rotation) -> dict[str, Any]:
    return {"participants": list(rotation.participants),
            "start": rotation.start.astimezone(rotation.zone).isoformat(),
            "shift_hours": rotation.shift_hours, "time_zone": rotation.time_zone}


def rotation_from_dict(data: Mapping[str, Any]) -> Rotation:
    """``start`` is ISO 8601; without an offset it is read in ``time_zone``."""
    raw = fields_of(data, "rotation", ("participants", "start"), ("shift_hours", "time_zone"))
    zone = zone_named(raw.get("time_zone", DEFAULT_TIME_ZONE), "rotation.time_zone")
    start = parse_time(raw["start"], "rotation.start", zone)
    return Rotation(participants=list_of(raw["participants"], "rotation.participants"),
                    start=start, **{k: v for k, v in raw.items()
                                    if k in ("shift_hours", "time_zone")})


def escalation_level_to_dict(level: EscalationLevel) -> dict[str, Any]:
    return {"notify": list(level.notify), "after_minutes": level.after_minutes}


def escalation_level_from_dict(data: Mapping[str, Any]) -> EscalationLevel:
    raw = fields_of(data, "escalation_level", ("notify", "after_minutes"), ())
    return EscalationLevel(notify=list_of(raw["notify"], "escalation_level.notify"),
                           after_minutes=raw["after_minutes"])


def team_to_dict(team: Team) -> dict[str, Any]:
    return {"id": team.id, "name": team.name, "rotation": rotation_to_dict(team.rotation),
            "escalation": [escalation_level_to_dict(level) for level in team.escalation],
            "webhook_url": team.webhook_url, "email": team.email}


def team_from_dict(data: Mapping[str, Any]) -> Team:
    """Without ``escalation``, the team's rotation is told at once and nobody else."""
    raw = fields_of(data, "team", ("id", "name", "rotation"),
                  ("escalation", "webhook_url", "email"))
    with inside_field("team.rotation"):
        rotation = rotation_from_dict(raw.pop("rotation"))
    if "escalation" not in raw:
        return Team(rotation=rotation, **raw)
    levels = []
    for i, level in enumerate(list_of(raw.pop("escalation"), "team.escalation")):
        with inside_field(f"team.escalation[{i}]"):
            levels.append(escalation_level_from_dict(level))
    return Team(rotation=rotation, escalation=tuple(levels), **raw)


def route_rule_to_dict(rule: RouteRule) -> dict[str, Any]:
    return {"team": rule.team, "agreement_ids": list(rule.agreement_ids),
            "priorities": list(rule.priorities), "categories": list(rule.categories),
            "departments": list(rule.departments)}


def route_rule_from_dict(data: Mapping[str, Any]) -> RouteRule:
    filters = ("agreement_ids", "priorities", "categories", "departments")
    raw = fields_of(data, "route", ("team",), filters)
    return RouteRule(team=raw["team"], **{k: list_of(raw[k], f"route.{k}")
                                          for k in filters if k in raw})


def alert_to_dict(alert: AlertFacts) -> dict[str, Any]:
    return {"alert_id": alert.alert_id, "inquiry_id": alert.inquiry_id,
            "target": alert.target, "kind": alert.kind, "agreement_id": alert.agreement_id,
            "priority": alert.priority, "category": alert.category,
            "department": alert.department, "subject": alert.subject,
            "due_at": iso_z(alert.due_at), "raised_at": iso_z(alert.raised_at),
            "threshold_percent": alert.threshold_percent}


def alert_from_dict(data: Mapping[str, Any]) -> AlertFacts:
    required = ("inquiry_id", "target", "kind", "due_at", "raised_at")
    optional = ("alert_id", "agreement_id", "priority", "category", "department", "subject",
                "threshold_percent")
    raw = fields_of(data, "alert", required, optional)
    for name in ("due_at", "raised_at"):
        raw[name] = parse_time(raw[name], f"alert.{name}", None)
    text = {name: raw.pop(name, "") for name in optional[:-1]}
    return AlertFacts(**text, **raw)


