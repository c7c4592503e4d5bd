"""On call: rotations across DST, escalation, routing, grouping into notifications."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.errors import InvalidField
from services.sla_monitor.domain.oncall.notifications import (
    Grouper,
    Notification,
    notification_key,
)
from services.sla_monitor.domain.oncall.plain_data import (
    alert_from_dict,
    alert_to_dict,
    person_from_dict,
    person_to_dict,
    route_rule_from_dict,
    route_rule_to_dict,
    team_from_dict,
    team_to_dict,
)
from services.sla_monitor.domain.oncall.rotation import Rotation
from services.sla_monitor.domain.oncall.routing import AlertFacts, RouteRule, route
from services.sla_monitor.domain.oncall.teams import EscalationLevel, Person, Team
from services.sla_monitor.domain.oncall.validation import OnCallError

TOKYO = ZoneInfo("Asia/Tokyo")
BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=TOKYO)


def facts(alert_id: str = "A-1", **changes: Any) -> AlertFacts:
    values: dict[str, Any] = dict(
        alert_id=alert_id, inquiry_id="INQ-0001", target="FIRST_RESPONSE", kind="BREACH",
        agreement_id="city-a", priority="P1", category="道路", department="土木課",
        subject="道路の陥没について", due_at=T0, raised_at=T0 + timedelta(minutes=1))
    values.update(changes)
    return AlertFacts(**values)


PEOPLE = {p.id: p for p in (
    Person("sato", "佐藤 花子", email="sato@city.example"),
    Person("suzuki", "鈴木 一郎", webhook_url="https://chat.example/hooks/suzuki"),
    Person("lead", "高橋 課長", email="takahashi@city.example"),
)}


def team(**changes: Any) -> Team:
    values: dict[str, Any] = dict(
        id="kumin", name="区民相談チーム",
        rotation=Rotation(("sato", "suzuki"), datetime(2024, 4, 1, 9, tzinfo=TOKYO)),
        escalation=(EscalationLevel(("rotation",), 0),
                    EscalationLevel(("rotation", "user:lead"), 15),
                    EscalationLevel(("user:lead",), 60)))
    values.update(changes)
    return Team(**values)


# ----- rotations -----


def test_weekly_rotation_in_tokyo_hands_off_at_the_start_time_each_week() -> None:
    rotation = Rotation(("a", "b", "c"), datetime(2024, 4, 1, 9, tzinfo=TOKYO))
    week = timedelta(days=7)
    start = datetime(2024, 4, 1, 9, tzinfo=TOKYO)

    assert rotation.on_call(start) == "a"
    assert rotation.on_call(start + week - timedelta(seconds=1)) == "a"
    assert rotation.on_call(start + week) == "b"
    assert rotation.on_call(start + 2 * week) == "c"
    assert rotation.on_call(start + 3 * week) == "a"
    assert rotation.handoff(1) == datetime(2024, 4, 8, 0, tzinfo=UTC)


def test_before_the_start_the_first_participant_is_on_call() -> None:
    rotation = Rotation(("a", "b"), datetime(2024, 4, 1, 9, tzinfo=TOKYO), shift_hours=24)

    assert rotation.on_call(datetime(2020, 1, 1, tzinfo=UTC)) == "a"
    assert rotation.shift_index(datetime(2024, 4, 1, 8, 59, tzinfo=TOKYO)) == 0


def test_a_daily_berlin_hand_off_stays_at_0900_when_summer_time_starts() -> None:
    # Summer time starts on 2024-03-31 at 02:00: 09:00 local is 08:00 UTC before, 07:00 after.
    rotation = Rotation(("a", "b", "c"), datetime(2024, 3, 30, 9, tzinfo=BERLIN), 24,
                        "Europe/Berlin")

    assert rotation.on_call(datetime(2024, 3, 31, 8, 59, tzinfo=BERLIN)) == "a"
    assert rotation.on_call(datetime(2024, 3, 31, 9, 0, tzinfo=BERLIN)) == "b"
    assert rotation.handoff(1) == datetime(2024, 3, 31, 7, 0, tzinfo=UTC)
    assert rotation.on_call(datetime(2024, 3, 31, 6, 59, tzinfo=UTC)) == "a"
    assert rotation.on_call(datetime(2024, 4, 1, 9, 0, tzinfo=BERLIN)) == "c"


def test_a_daily_berlin_hand_off_stays_at_0900_when_summer_time_ends() -> None:
    rotation = Rotation(("a", "b"), datetime(2024, 10, 26, 9, tzinfo=BERLIN), 24,
                        "Europe/Berlin")

    assert [rotation.handoff(i).astimezone(BERLIN).hour for i in range(4)] == [9, 9, 9, 9]
    assert rotation.handoff(1) == datetime(2024, 10, 27, 8, 0, tzinfo=UTC)   # +01:00 now
    assert rotation.handoff(1) - rotation.handoff(0) == timedelta(hours=25)
    assert rotation.on_call(datetime(2024, 10, 27, 8, 59, tzinfo=BERLIN)) == "a"
    assert rotation.on_call(datetime(2024, 10, 27, 9, 0, tzinfo=BERLIN)) == "b"


def test_a_hand_off_time_the_clocks_skip_happens_when_they_jump() -> None:
    rotation = Rotation(("a", "b"), datetime(2024, 3, 30, 2, 30, tzinfo=BERLIN), 24,
                        "Europe/Berlin")

    # 02:30 does not exist on 2024-03-31: the clocks go from 02:00 straight to 03:00.
    assert rotation.handoff(1) == datetime(2024, 3, 31, 1, 0, tzinfo=UTC)
    assert rotation.handoff(2).astimezone(BERLIN).time().isoformat() == "02:30:00"


def test_a_hand_off_time_that_happens_twice_means_its_first_occurrence() -> None:
    rotation = Rotation(("a", "b"), datetime(2024, 10, 26, 2, 30, tzinfo=BERLIN), 24,
                        "Europe/Berlin")

    assert rotation.handoff(1) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)   # 02:30 CEST
    assert rotation.on_call(datetime(2024, 10, 27, 1, 45, tzinfo=UTC)) == "b"  # 02:45 CET


def test_start_given_in_another_zone_is_the_same_instant() -> None:
    local = Rotation(("a", "b"), datetime(2024, 4, 1, 9, tzinfo=TOKYO), 24)
    utc = Rotation(("a", "b"), datetime(2024, 4, 1, 0, tzinfo=UTC), 24)

    assert local == utc
    assert local.start.tzinfo is UTC


@pytest.mark.parametrize(("changes", "field"), [
    ({"participants": ()}, "rotation.participants"),
    ({"participants": "abc"}, "rotation.participants"),
    ({"participants": ("a", " ")}, "rotation.participants[1]"),
    ({"start": datetime(2024, 4, 1, 9)}, "rotation.start"),
    ({"shift_hours": 0}, "rotation.shift_hours"),
    ({"shift_hours": 1.5}, "rotation.shift_hours"),
    ({"time_zone": "Asia/Tokio"}, "rotation.time_zone"),
    ({"time_zone": "../etc/passwd"}, "rotation.time_zone"),
])
def test_a_rotation_names_the_bad_field(changes: dict[str, Any], field: str) -> None:
    values: dict[str, Any] = dict(participants=("a",), start=T0, shift_hours=24,
                                  time_zone="Asia/Tokyo")
    values.update(changes)

    with pytest.raises(OnCallError) as caught:
        Rotation(**values)

    assert caught.value.field == field
    assert str(caught.value).startswith(field + " ")
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, InvalidField)


ZONES = ["Asia/Tokyo", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
         "America/Santiago", "Pacific/Apia", "UTC"]


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(ZONES),
       participants=st.lists(st.sampled_from("abcde"), min_size=1, max_size=5),
       shift_hours=st.sampled_from([1, 2, 8, 12, 24, 36, 168]),
       start=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1),
                          timezones=st.just(UTC)),
       offset_minutes=st.integers(min_value=-60 * 24 * 30, max_value=60 * 24 * 800))
def test_the_one_on_call_is_a_participant_and_constant_within_the_shift(
        zone: str, participants: list[str], shift_hours: int, start: datetime,
        offset_minutes: int) -> None:
    rotation = Rotation(tuple(participants), start, shift_hours, zone)
    at = start + timedelta(minutes=offset_minutes)

    index = rotation.shift_index(at)
    assert rotation.on_call(at) in participants
    if at >= rotation.start:
        begins, ends = rotation.handoff(index), rotation.handoff(index + 1)
        assert begins <= at < ends
        assert rotation.on_call(begins) == rotation.on_call(at)
        assert rotation.shift_index(ends - timedelta(microseconds=1)) == index
        assert rotation.on_call(ends) == participants[(index + 1) % len(participants)]


@settings(max_examples=200, deadline=None)
@given(zone=st.sampled_from(ZONES), shift_days=st.integers(min_value=1, max_value=14),
       start=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)),
       index=st.integers(min_value=0, max_value=400))
def test_whole_day_shifts_keep_their_local_hand_off_time(
        zone: str, shift_days: int, start: datetime, index: int) -> None:
    tz = ZoneInfo(zone)
    local_start = start.replace(tzinfo=tz, microsecond=0)
    if local_start.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != start.replace(
            microsecond=0):
        return   # the start itself is not a real local time
    rotation = Rotation(("a",), local_start, 24 * shift_days, zone)

    handoff = rotation.handoff(index).astimezone(tz)
    expected = local_start.replace(tzinfo=None) + timedelta(days=shift_days * index)
    exists = expected.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(
        tzinfo=None) == expected
    if exists:
        assert handoff.replace(tzinfo=None) == expected
    else:   # skipped by a jump: the hand-off is at the jump, within a day
        assert timedelta(0) < handoff.replace(tzinfo=None) - expected <= timedelta(days=1)


# ----- escalation -----


def test_level_0_tells_whoever_is_on_call() -> None:
    kumin = team()

    assert kumin.recipients(0, datetime(2024, 4, 2, tzinfo=TOKYO), PEOPLE) == [PEOPLE["sato"]]
    assert kumin.recipients(0, datetime(2024, 4, 9, tzinfo=TOKYO), PEOPLE) == [
        PEOPLE["suzuki"]]


def test_later_levels_add_named_people_each_once() -> None:
    kumin = team(escalation=(EscalationLevel(("rotation",), 0),
                             EscalationLevel(("rotation", "user:lead", "user:sato"), 15)))
    at = datetime(2024, 4, 2, tzinfo=TOKYO)   # sato is on call

    assert kumin.recipients(1, at, PEOPLE) == [PEOPLE["sato"], PEOPLE["lead"]]


def test_a_level_falls_due_its_minutes_after_the_alert_was_raised() -> None:
    kumin = team()
    raised = datetime(2024, 5, 1, 23, 50, tzinfo=TOKYO)

    assert kumin.level_due(0, raised) == raised
    assert kumin.level_due(1, raised) == datetime(2024, 5, 1, 15, 5, tzinfo=UTC)
    assert kumin.level_due(2, raised).tzinfo is UTC
    assert kumin.level_due(2, raised) - raised == timedelta(hours=1)


def test_wall_clock_minutes_across_a_dst_change_are_elapsed_minutes() -> None:
    raised = datetime(2024, 3, 31, 1, 50, tzinfo=BERLIN)

    due = team().level_due(1, raised)

    assert due.astimezone(BERLIN).isoformat() == "2024-03-31T03:05:00+02:00"


def test_a_target_naming_nobody_known_is_an_error_not_a_silent_skip() -> None:
    kumin = team()

    with pytest.raises(OnCallError, match=r"team\.escalation\[2\]\.notify\[0\]"):
        kumin.recipients(2, T0, {"sato": PEOPLE["sato"]})
    with pytest.raises(OnCallError, match="level"):
        kumin.recipients(3, T0, PEOPLE)
    assert team().referenced_people() == ("sato", "suzuki", "lead")


def test_escalation_levels_must_come_later_and_later() -> None:
    with pytest.raises(ValueError) as caught:
        team(escalation=(EscalationLevel(("rotation",), 15), EscalationLevel(("user:lead",), 15)))

    assert str(caught.value) == ("team.escalation[1].after_minutes must be greater than "
                                 "level 0's (15)")


@pytest.mark.parametrize(("notify", "field"), [
    ((), "escalation_level.notify"),
    (("group:ops",), "escalation_level.notify[0]"),
    (("user:",), "escalation_level.notify[0]"),
    (("rotation", "rotation"), "escalation_level.notify[1]"),
])
def test_escalation_targets_are_rotation_or_a_user(notify: tuple[str, ...], field: str) -> None:
    with pytest.raises(OnCallError) as caught:
        EscalationLevel(notify, 0)

    assert caught.value.field == field


@pytest.mark.parametrize(("changes", "field"), [
    ({"escalation": ()}, "team.escalation"),
    ({"name": ""}, "team.name"),
    ({"email": "not-an-address"}, "team.email"),
    ({"webhook_url": "file:///etc/passwd"}, "team.webhook_url"),
    ({"webhook_url": "https://hooks.example/a b"}, "team.webhook_url"),
])
def test_a_team_names_the_bad_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(OnCallError) as caught:
        team(**changes)

    assert caught.value.field == field


# ----- routing -----


def test_the_first_matching_rule_wins_and_the_default_catches_the_rest() -> None:
    rules = [
        RouteRule("roads-p1", priorities=("P1",), categories=("道路",)),
        RouteRule("roads", categories=("道路",)),
        RouteRule("city-a", agreement_ids=("city-a",)),
    ]

    assert route(facts(), rules, "desk") == "roads-p1"
    assert route(facts(priority="P2"), rules, "desk") == "roads"
    assert route(facts(priority="P2", category="ごみ"), rules, "desk") == "city-a"
    assert route(facts(category="ごみ", agreement_id="city-b"), rules, "desk") == "desk"
    assert route(facts(), [], "desk") == "desk"


def test_every_filter_of_a_rule_must_match() -> None:
    rule = RouteRule("t", agreement_ids=("city-a",), priorities=("P1", "P2"),
                     categories=("道路",), departments=("土木課",))

    assert rule.matches(facts())
    assert not rule.matches(facts(department="福祉課"))
    assert RouteRule("any").matches(facts())


def test_routing_works_before_the_alert_has_an_id() -> None:
    assert route(facts(alert_id=""), [RouteRule("t", priorities=("P1",))], "d") == "t"


def test_a_rule_rejects_an_unknown_priority() -> None:
    with pytest.raises(OnCallError, match=r"route\.priorities\[0\]"):
        RouteRule("t", priorities=("p1",))


# ----- grouping and notifications -----


def test_a_burst_becomes_one_notification_after_the_window() -> None:
    grouper = Grouper(window_seconds=10)
    now = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
    for i in range(3):
        grouper.add("kumin", facts(f"A-{i}"), now + timedelta(seconds=i),
                    team_name="区民相談チーム")

    assert grouper.due(now + timedelta(seconds=9)) == []
    assert grouper.next_due() == now + timedelta(seconds=10)
    [notification] = grouper.due(now + timedelta(seconds=10))

    assert notification.team == "kumin"
    assert [a.alert_id for a in notification.alerts] == ["A-0", "A-1", "A-2"]
    assert notification.title() == "[Madoguchi] 3 SLA breaches for 区民相談チーム"
    assert notification.created_at == now + timedelta(seconds=10)
    assert grouper.due(now + timedelta(hours=1)) == []
    assert grouper.next_due() is None


def test_teams_are_grouped_apart() -> None:
    grouper = Grouper(window_seconds=5)
    now = datetime(2024, 5, 1, tzinfo=UTC)
    grouper.add("a", facts("A-1"), now)
    grouper.add("b", facts("A-2"), now + timedelta(seconds=3))

    assert [n.team for n in grouper.due(now + timedelta(seconds=5))] == ["a"]
    assert [n.team for n in grouper.due(now + timedelta(seconds=8))] == ["b"]


def test_a_full_group_is_due_at_once_and_the_next_alert_starts_a_new_one() -> None:
    grouper = Grouper(window_seconds=60, max_group=2)
    now = datetime(2024, 5, 1, tzinfo=UTC)
    for i in range(3):
        grouper.add("kumin", facts(f"A-{i}"), now)

    assert grouper.next_due() == now
    [full] = grouper.due(now)
    assert len(full.alerts) == 2
    assert grouper.pending() == 1
    [rest] = grouper.flush(now)
    assert [a.alert_id for a in rest.alerts] == ["A-2"]


def test_the_same_alert_twice_is_held_once() -> None:
    grouper = Grouper()
    now = datetime(2024, 5, 1, tzinfo=UTC)
    grouper.add("kumin", facts("A-1"), now)
    grouper.add("kumin", facts("A-1"), now)
    grouper.add("kumin", facts("A-1", kind="REMINDER"), now)

    [notification] = grouper.flush(now)
    assert [(a.alert_id, a.kind) for a in notification.alerts] == [
        ("A-1", "BREACH"), ("A-1", "REMINDER")]


def test_the_key_does_not_depend_on_arrival_order_or_the_grouper() -> None:
    alerts = [facts(f"A-{i}", due_at=T0 + timedelta(minutes=i)) for i in range(5)]
    shuffled = alerts[:]
    random.Random(7).shuffle(shuffled)
    now = datetime(2024, 5, 1, tzinfo=UTC)
    first, second = Grouper(), Grouper()
    for a, b in zip(alerts, shuffled, strict=True):
        first.add("kumin", a, now)
        second.add("kumin", b, now + timedelta(seconds=3))

    [one], [two] = first.flush(now), second.flush(now + timedelta(hours=1))

    assert one.key == two.key
    assert one.alerts == two.alerts
    assert one.text() == two.text()
    assert len(one.key) == 64
    assert one.key != notification_key("other-team", alerts)
    assert one.key != notification_key("kumin", alerts[:4])
    assert one.key != notification_key("kumin", [*alerts[:4], facts("A-4", kind="REMINDER")])


@settings(max_examples=100)
@given(st.permutations([facts(f"A-{i}", kind=k) for i in range(4)
                        for k in ("BREACH", "REMINDER")]))
def test_the_key_is_the_same_for_any_order(alerts: list[AlertFacts]) -> None:
    expected = notification_key("kumin", sorted(alerts, key=lambda a: (a.alert_id, a.kind)))

    assert notification_key("kumin", alerts) == expected
    assert Notification.create("kumin", alerts, T0).key == expected


def test_a_single_alert_title_says_what_happened_in_japanese_too() -> None:
    breach = Notification.create("kumin", [facts()], T0)
    warning = Notification.create("kumin", [facts(kind="WARNING", threshold_percent=75,
                                                 target="RESOLUTION", priority="P2")], T0)
    injected = Notification.create("kumin", [facts(subject="件名\r\nBcc: x@evil.example")], T0)

    assert breach.title() == "[Madoguchi] P1 first response breached: 道路の陥没について"
    assert warning.title() == "[Madoguchi] P2 resolution at 75% of target: 道路の陥没について"
    assert "\n" not in injected.title() and "\r" not in injected.title()


def test_the_text_lists_every_alert_with_tokyo_local_due_times() -> None:
    due = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)   # 18:00 in Tokyo
    notification = Notification.create("kumin", [
        facts("A-1", due_at=due),
        facts("A-2", inquiry_id="INQ-0002", subject="騒音の苦情", target="RESOLUTION",
              priority="P2", due_at=due + timedelta(hours=1)),
    ], T0, team_name="区民相談チーム")

    text = notification.text()

    assert "P1 first response breached: 道路の陥没について" in text
    assert "inquiry INQ-0001, due 2024-05-01 18:00+09:00 (JST)" in text
    assert "P2 resolution breached: 騒音の苦情" in text
    assert "inquiry INQ-0002, due 2024-05-01 19:00+09:00 (JST)" in text
    assert "department 土木課" in text
    assert notification.key in text
    assert "2024-05-01 11:00+02:00 (CEST)" in notification.text("Europe/Berlin")


def test_the_json_payload_is_plain_json_with_utc_times() -> None:
    notification = Notification.create("kumin", [facts()], T0, team_name="区民相談チーム")

    payload = json.loads(json.dumps(notification.to_json(), ensure_ascii=False))

    assert payload["key"] == notification.key
    assert payload["team"] == "kumin"
    assert payload["team_name"] == "区民相談チーム"
    assert payload["created_at"] == "2024-05-01T00:00:00Z"
    assert payload["alerts"][0]["subject"] == "道路の陥没について"
    assert payload["alerts"][0]["due_at"] == "2024-05-01T00:00:00Z"
    assert alert_from_dict(payload["alerts"][0]) == notification.alerts[0]


def test_grouping_needs_alert_ids_and_aware_times() -> None:
    grouper = Grouper()

    with pytest.raises(OnCallError, match=r"alert\.alert_id"):
        grouper.add("kumin", facts(""), T0)
    with pytest.raises(OnCallError, match="now"):
        grouper.add("kumin", facts(), datetime(2024, 5, 1))
    with pytest.raises(OnCallError, match="window_seconds"):
        Grouper(window_seconds=-1)


@pytest.mark.parametrize(("changes", "field"), [
    ({"kind": "PAGE"}, "alert.kind"),
    ({"target": "first_response"}, "alert.target"),
    ({"due_at": datetime(2024, 5, 1)}, "alert.due_at"),
    ({"inquiry_id": ""}, "alert.inquiry_id"),
    ({"threshold_percent": 0}, "alert.threshold_percent"),
])
def test_alert_facts_name_the_bad_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(OnCallError) as caught:
        facts(**changes)

    assert caught.value.field == field


# ----- plain data -----

SEED_TEAM = {
    "id": "kumin", "name": "区民相談チーム",
    "rotation": {"participants": ["sato", "suzuki"], "start": "2024-04-01T09:00",
                 "shift_hours": 168, "time_zone": "Asia/Tokyo"},
    "escalation": [{"notify": ["rotation"], "after_minutes": 0},
                   {"notify": ["rotation", "user:lead"], "after_minutes": 15}],
    "webhook_url": "https://chat.example/hooks/kumin", "email": "kumin@city.example",
}


def test_a_team_round_trips_through_json() -> None:
    loaded = team_from_dict(SEED_TEAM)
    stored = json.loads(json.dumps(team_to_dict(loaded), ensure_ascii=False))

    assert loaded.rotation.start == datetime(2024, 4, 1, 0, tzinfo=UTC)   # read in Tokyo
    assert stored["rotation"]["start"] == "2024-04-01T09:00:00+09:00"
    assert team_from_dict(stored) == loaded
    assert stored["name"] == "区民相談チーム"


def test_a_team_without_escalation_tells_the_rotation_at_once() -> None:
    seed = {k: v for k, v in SEED_TEAM.items() if k != "escalation"}

    assert team_from_dict(seed).escalation == (EscalationLevel(("rotation",), 0),)


@pytest.mark.parametrize(("change", "field"), [
    ({"rotation": {**SEED_TEAM["rotation"], "shift_hours": 0}}, "team.rotation.shift_hours"),
    ({"rotation": {**SEED_TEAM["rotation"], "shift_hour": 24}}, "team.rotation.shift_hour"),
    ({"rotation": {**SEED_TEAM["rotation"], "start": "next monday"}}, "team.rotation.start"),
    ({"escalation": [{"notify": ["rotation"], "after_minutes": 0},
                     {"notify": ["boss"], "after_minutes": 5}]}, "team.escalation[1].notify[0]"),
    ({"escalation": [{"notify": ["rotation"], "after_minutes": 10},
                     {"notify": ["user:lead"], "after_minutes": 5}]},
     "team.escalation[1].after_minutes"),
    ({"escalation": []}, "team.escalation"),
    ({"escalation": "rotation"}, "team.escalation"),
    ({"colour": "red"}, "team.colour"),
])
def test_loading_names_the_bad_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(OnCallError) as caught:
        team_from_dict({**SEED_TEAM, **change})

    assert caught.value.field == field


def test_people_and_rules_round_trip() -> None:
    person = Person("sato", "佐藤 花子", email="sato@city.example")
    rule = RouteRule("kumin", priorities=("P1",), categories=("道路",))

    assert person_from_dict(person_to_dict(person)) == person
    assert route_rule_from_dict(route_rule_to_dict(rule)) == rule
    assert route_rule_from_dict({"team": "kumin"}) == RouteRule("kumin")
    with pytest.raises(OnCallError, match=r"person\.name"):
        person_from_dict({"id": "x"})
    with pytest.raises(OnCallError, match=r"route\.priorities"):
        route_rule_from_dict({"team": "kumin", "priorities": "P1"})
    assert alert_from_dict(alert_to_dict(facts())) == facts()
