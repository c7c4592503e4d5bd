"""Pure tests of the demo planners (``plan_day``, ``plan_live``): no server needed."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import pytest

from madoguchi.api.intake.v1 import intake_pb2
from madoguchi_cli.demo.live import run_live
from madoguchi_cli.demo.live_plan import LIVE_LABELS, live_expectation, live_prefix, plan_live
from madoguchi_cli.demo.plan import plan_day, yesterday_in_tokyo
from madoguchi_cli.demo.requests import build_request, inquiry_versions
from madoguchi_cli.demo.run import run_demo
from madoguchi_cli.demo.scenario import LIVE_AGREEMENT, Action, Outcome, Scenario, Step

TOKYO = ZoneInfo("Asia/Tokyo")
DAY = date(2025, 6, 2)
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
PHONE = re.compile(r"^0[789]0-\d{4}-\d{4}$")
KEY = re.compile(r"^[\x21-\x7e]{1,128}$")
OPEN = {"RECEIVED", "RESPONDED", "ASSIGNED", "ESCALATED", "ON_HOLD"}
CATEGORIES = {"住民票・戸籍", "税", "ごみ・リサイクル", "子育て", "道路", "国民健康保険", "福祉",
              "施設予約"}


@pytest.fixture(scope="module")
def day_plan() -> list[Scenario]:
    return plan_day(DAY)


def inquiries(plan: list[Scenario]) -> list[Scenario]:
    return [s for s in plan if s.creates_inquiry]


def steps(plan: list[Scenario], action: Action) -> list[Step]:
    return [step for s in plan for step in s.steps if step.action == action]


def simulate(scenario: Scenario) -> str:
    """Replay a scenario through the documented lifecycle rules; return the final status."""
    status, before_hold, team = "", "", ""
    escalations, tier = 0, 1
    responded = satisfied = False
    for n, step in enumerate(s for s in scenario.steps
                             if s.action != Action.RECORD_CONTACT_ATTEMPT):
        action, where = step.action, f"#{scenario.index} {step.action} ({status})"
        if n == 0:
            assert action == Action.RECEIVE_INQUIRY, where
            status = "RECEIVED"
            continue
        assert action != Action.RECEIVE_INQUIRY, where
        if action == Action.LOG_CONTACT:
            assert status != "CLOSED", where
        elif action == Action.RECORD_FIRST_RESPONSE:
            assert status in OPEN and not responded, where
            responded = True
            status = "RESPONDED" if status == "RECEIVED" else status
        elif action == Action.ASSIGN:
            assert status in OPEN, where
            team = step.params["team"]
            status = "ASSIGNED" if status in ("RECEIVED", "RESPONDED") else status
        elif action == Action.ESCALATE:
            assert status in OPEN and status != "ON_HOLD", where
            if step.params["target"] == "TIER":
                assert step.params["to_tier"] > tier, where
                tier = step.params["to_tier"]
            else:
                assert step.params["to_department"], where
            escalations += 1
            status = "ESCALATED"
        elif action == Action.PUT_ON_HOLD:
            assert status in OPEN and status != "ON_HOLD", where
            before_hold, status = status, "ON_HOLD"
        elif action == Action.RESUME:
            assert status == "ON_HOLD", where
            status = before_hold
        elif action == Action.RESOLVE:
            # Stricter than the server: first response first, and never straight from a hold.
            assert responded and status in OPEN and status != "ON_HOLD", where
            status = "RESOLVED"
        elif action == Action.REOPEN:
            assert status == "RESOLVED", where
            status = "ESCALATED" if escalations else "ASSIGNED" if team else "RESPONDED"
        elif action == Action.CLOSE:
            assert status == "RESOLVED", where
            status = "CLOSED"
        elif action == Action.RECORD_SATISFACTION:
            assert status in ("RESOLVED", "CLOSED") and not satisfied, where
            assert 0 <= step.params["score"] <= 10, where
            satisfied = True
    return status


def test_plan_is_deterministic_for_day_seed_and_size(day_plan: list[Scenario]) -> None:
    assert plan_day(DAY) == day_plan
    assert plan_day(DAY, seed=8) != day_plan
    assert plan_day(DAY + timedelta(days=1)) != day_plan
    assert len(day_plan) == 120
    assert [s.index for s in day_plan] == list(range(120))


@pytest.mark.parametrize("size", [1, 4, 9, 12, 40, 300])
def test_any_size_gives_a_valid_day(size: int) -> None:
    plan = plan_day(DAY, seed=3, size=size)
    assert len(plan) == size
    for scenario in inquiries(plan):
        simulate(scenario)


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        plan_day(DAY, size=0)


@pytest.mark.parametrize("seed", [7, 1, 42])
def test_all_times_lie_in_business_hours_in_tokyo(seed: int) -> None:
    opening = datetime.combine(DAY, time(8, 30), tzinfo=TOKYO)
    for scenario in plan_day(DAY, seed=seed):
        for step in scenario.steps:
            assert step.at.utcoffset() == timedelta(0)
            local = step.at.astimezone(TOKYO)
            assert local.date() == DAY
            assert opening <= local <= datetime.combine(DAY, time(21, 0), tzinfo=TOKYO)
        assert scenario.started_at.astimezone(TOKYO).time() <= time(20, 30)
        if scenario.channel in ("WALK_IN", "FAX", "LETTER"):
            assert scenario.started_at.astimezone(TOKYO).time() <= time(17, 15)


def test_scenarios_come_in_time_order(day_plan: list[Scenario]) -> None:
    starts = [s.started_at for s in day_plan]
    assert starts == sorted(starts)


@pytest.mark.parametrize("seed", [7, 1, 42, 2025])
def test_the_mix_of_the_day(seed: int) -> None:
    plan = plan_day(DAY, seed=seed)
    taken = inquiries(plan)
    outcomes = Counter(s.outcome for s in taken)
    assert 0.55 <= outcomes[Outcome.FIRST_CONTACT] / len(taken) <= 0.85
    assert 0.10 <= outcomes[Outcome.DEPARTMENT] / len(taken) <= 0.30
    assert outcomes[Outcome.TIER2] >= 1
    assert outcomes[Outcome.REOPENED] == 1
    assert 1 <= outcomes[Outcome.OPEN] <= len(taken) * 0.1

    channels = Counter(s.channel for s in taken).most_common()
    assert [c for c, _ in channels[:2]] == ["PHONE", "EMAIL"]
    assert {c for c, _ in channels} == {"PHONE", "EMAIL", "WEB_FORM", "CHAT", "WALK_IN", "FAX",
                                        "LETTER"}
    kinds = Counter(s.kind for s in taken)
    assert kinds.most_common(1)[0][0] == "QUESTION"
    assert kinds["COMPLAINT"] >= 1 and kinds["COMPLAINT"] <= len(taken) * 0.1
    assert kinds["INCIDENT"] >= 1 and kinds["REQUEST"] >= 1
    assert {s.category for s in taken} == CATEGORIES
    assert any(s.subject == "道路の陥没を見つけました" for s in taken)

    escalations = steps(plan, Action.ESCALATE)
    assert any(e.params["target"] == "DEPARTMENT" for e in escalations)
    assert any(e.params["target"] == "TIER" and e.params["to_tier"] == 2 for e in escalations)
    assert len(steps(plan, Action.REOPEN)) == 1
    holds = steps(plan, Action.PUT_ON_HOLD)
    assert holds and all(h.params["reason"] == "AWAITING_CUSTOMER" for h in holds)
    assert steps(plan, Action.RESUME)


def test_end_of_day_states_match_the_outcomes(day_plan: list[Scenario]) -> None:
    finals = {s.index: simulate(s) for s in inquiries(day_plan)}
    for scenario in inquiries(day_plan):
        if scenario.outcome == Outcome.OPEN:
            assert finals[scenario.index] in OPEN
        else:
            assert finals[scenario.index] in ("RESOLVED", "CLOSED")
    assert "CLOSED" in finals.values() and "RESOLVED" in finals.values()


def test_resolutions(day_plan: list[Scenario]) -> None:
    for scenario in inquiries(day_plan):
        resolves = [s for s in scenario.steps if s.action == Action.RESOLVE]
        codes = [r.params["resolution_code"] for r in resolves]
        expected = {
            Outcome.FIRST_CONTACT: ["ANSWERED_FAQ"],
            Outcome.DEPARTMENT: ["ANSWERED_BY_DEPARTMENT"],
            Outcome.TIER2: ["ANSWERED_BY_TIER2"],
            Outcome.REOPENED: ["ANSWERED_FAQ", "ANSWERED_BY_DEPARTMENT"],
            Outcome.OPEN: [],
        }[scenario.outcome]
        assert codes == expected, scenario.index
        for r in resolves:
            assert JAPANESE.search(r.params["resolution_text"])
            faq = r.params.get("faq_entry_id", "")
            if r.params["resolution_code"] == "ANSWERED_FAQ":
                assert re.fullmatch(r"FAQ-[A-Z]+-\d{3}", faq)
            else:
                assert not faq
        if scenario.outcome in (Outcome.DEPARTMENT, Outcome.REOPENED):
            assigns = [s for s in scenario.steps if s.action == Action.ASSIGN]
            assert assigns and assigns[0].params["team"] == "一次受付"
            escalations = [s for s in scenario.steps if s.action == Action.ESCALATE]
            assert escalations[0].params["to_department"] == scenario.department
            assert JAPANESE.search(escalations[0].params["reason"])


def test_satisfaction(day_plan: list[Scenario]) -> None:
    resolved = [s for s in inquiries(day_plan) if s.outcome != Outcome.OPEN]
    surveys = [(s, step) for s in resolved for step in s.steps
               if step.action == Action.RECORD_SATISFACTION]
    assert 0.25 <= len(surveys) / len(resolved) <= 0.55
    scores = [step.params["score"] for s, step in surveys if s.kind != "COMPLAINT"]
    assert sum(1 for score in scores if score >= 7) / len(scores) >= 0.7
    for scenario in plan_day(DAY, size=600):
        for step in scenario.steps:
            if step.action == Action.RECORD_SATISFACTION:
                assert JAPANESE.search(step.params["comment"])
                if scenario.kind == "COMPLAINT":
                    assert step.params["score"] <= 7


def test_steps_of_each_scenario_are_in_time_order(day_plan: list[Scenario]) -> None:
    for scenario in day_plan:
        times = [step.at for step in scenario.steps]
        assert times == sorted(times), scenario.index


def test_lifecycle_of_every_inquiry_is_valid(day_plan: list[Scenario]) -> None:
    for scenario in inquiries(day_plan):
        simulate(scenario)
        actions = [s.action for s in scenario.steps]
        for later, earlier in [(Action.RESOLVE, Action.RECORD_FIRST_RESPONSE),
                               (Action.CLOSE, Action.RESOLVE),
                               (Action.RECORD_SATISFACTION, Action.RESOLVE),
                               (Action.RESUME, Action.PUT_ON_HOLD)]:
            if later in actions:
                assert earlier in actions[:actions.index(later)], (scenario.index, later)


def test_telephony(day_plan: list[Scenario]) -> None:
    for scenario in day_plan:
        attempts = [s for s in scenario.steps if s.action == Action.RECORD_CONTACT_ATTEMPT]
        for step in attempts:
            assert step.params["queue"] and step.params["wait_seconds"] >= 0
        if scenario.outcome == Outcome.ABANDONED:
            assert scenario.channel == "PHONE"
            assert [a.params["outcome"] for a in attempts] == ["OFFERED", "ABANDONED"]
            assert attempts[1].params["wait_seconds"] > 0
            assert attempts[0].params["call_id"] == attempts[1].params["call_id"]
            assert len(scenario.steps) == 2
            continue
        if scenario.channel != "PHONE":
            continue
        offered, receive, answered = scenario.steps[:3]
        assert (offered.params["outcome"], receive.action, answered.params["outcome"]) == (
            "OFFERED", Action.RECEIVE_INQUIRY, "ANSWERED")
        assert offered.params["call_id"] == answered.params["call_id"]
        assert answered.params["link"] and not offered.params["link"]
        assert receive.at - offered.at == timedelta(seconds=answered.params["wait_seconds"])
        assert answered.at == receive.at
    every_offered = [s for s in steps(day_plan, Action.RECORD_CONTACT_ATTEMPT)
                     if s.params["outcome"] == "OFFERED"]
    abandoned = [s for s in day_plan if s.outcome == Outcome.ABANDONED]
    assert 0.04 <= len(abandoned) / len(every_offered) <= 0.15


def test_further_contacts_come_on_another_channel(day_plan: list[Scenario]) -> None:
    found = 0
    for scenario in inquiries(day_plan):
        for step in scenario.steps:
            if step.action == Action.LOG_CONTACT and step.params["direction"] == "INBOUND":
                assert step.params["channel"] != scenario.channel
                assert JAPANESE.search(step.params["note"])
                found += 1
    assert found >= 2


def test_idempotency_keys_are_unique_stable_and_ascii(day_plan: list[Scenario]) -> None:
    keys = [step.key for s in day_plan for step in s.steps]
    assert len(keys) == len(set(keys))
    assert all(KEY.match(key) for key in keys)
    assert all("20250602" in key and "-s7-" in key for key in keys)
    assert keys == [step.key for s in plan_day(DAY) for step in s.steps]
    other_seed = {step.key for s in plan_day(DAY, seed=8) for step in s.steps}
    other_day = {step.key for s in plan_day(DAY - timedelta(days=1)) for step in s.steps}
    assert not other_seed & set(keys) and not other_day & set(keys)
    call_ids = [step.params["call_id"] for step in steps(day_plan,
                                                         Action.RECORD_CONTACT_ATTEMPT)]
    assert len(set(call_ids)) * 2 == len(call_ids)


def test_texts_are_japanese_and_within_limits(day_plan: list[Scenario]) -> None:
    for scenario in inquiries(day_plan):
        assert scenario.subject.strip() and JAPANESE.search(scenario.subject)
        assert len(scenario.subject) <= 200 and "{" not in scenario.subject
        assert scenario.body.strip() and JAPANESE.search(scenario.body)
        assert len(scenario.body) <= 10_000 and "{" not in scenario.body
        assert scenario.category in CATEGORIES
        assert scenario.department.endswith("課") and len(scenario.department) <= 100
        assert scenario.agreement_id == (
            "citizen-priority" if scenario.kind in ("COMPLAINT", "INCIDENT")
            else "citizen-standard")
        caller = scenario.caller
        assert caller is not None and JAPANESE.search(caller.name) and len(caller.name) <= 100
        assert not caller.phone or PHONE.match(caller.phone)
        assert not caller.email or re.fullmatch(r"[a-z.]+\d+@example\.(com|net|org)",
                                                caller.email)
        if scenario.channel in ("PHONE", "FAX"):
            assert caller.phone
        if scenario.channel in ("EMAIL", "WEB_FORM"):
            assert caller.email
        for step in scenario.steps:
            for name in ("reason", "note", "comment"):
                if name in step.params and not isinstance(step.params[name], int):
                    assert len(step.params[name]) <= 1000
            assert len(step.actor) <= 100


def test_every_step_builds_a_request_with_its_time(day_plan: list[Scenario]) -> None:
    inquiry_id = "00000000-0000-0000-0000-000000000001"
    for scenario in day_plan:
        for step in scenario.steps:
            request = build_request(scenario, step, inquiry_id)
            if step.action == Action.RECEIVE_INQUIRY:
                assert isinstance(request, intake_pb2.ReceiveInquiryRequest)
                assert request.contacted_at.ToDatetime(tzinfo=UTC) == step.at
                assert request.idempotency_key == step.key
                assert request.channel and request.kind and request.impact and request.urgency
            elif step.action == Action.RECORD_CONTACT_ATTEMPT:
                assert isinstance(request, intake_pb2.RecordContactAttemptRequest)
                assert request.attempted_at.ToDatetime(tzinfo=UTC) == step.at
                assert request.idempotency_key == step.key
                assert request.inquiry_id == (inquiry_id if step.params["link"] else "")
            else:
                context = request.context  # type: ignore[attr-defined]
                assert context.inquiry_id == inquiry_id and context.expected_version == 0
                assert context.occurred_at.ToDatetime(tzinfo=UTC) == step.at
                assert context.correlation_id == scenario.correlation_id
                if step.action == Action.LOG_CONTACT:
                    assert request.idempotency_key == step.key  # type: ignore[attr-defined]


def test_inquiry_versions_count_only_inquiry_events(day_plan: list[Scenario]) -> None:
    phone = next(s for s in inquiries(day_plan) if s.channel == "PHONE")
    versions = inquiry_versions(phone)
    assert versions[:4] == [None, 1, None, 2]
    numbered = [v for v in versions if v is not None]
    assert numbered == list(range(1, len(numbered) + 1))


def test_default_day_is_yesterday_in_tokyo() -> None:
    # 15:30 UTC on 2 June is 00:30 on 3 June in Tokyo.
    assert yesterday_in_tokyo(datetime(2025, 6, 2, 15, 30, tzinfo=UTC)) == date(2025, 6, 2)
    assert yesterday_in_tokyo(datetime(2025, 6, 2, 14, 30, tzinfo=UTC)) == date(2025, 6, 1)


def test_run_demo_refuses_a_day_that_has_not_happened_yet() -> None:
    tomorrow = datetime.now(TOKYO).date() + timedelta(days=1)
    with pytest.raises(ValueError, match="has not happened yet"):
        run_demo("127.0.0.1:9", day=tomorrow, size=5)


def test_run_demo_checks_the_watch_limit_before_connecting() -> None:
    with pytest.raises(ValueError, match="watch_seconds"):
        run_demo("127.0.0.1:9", day=DAY, size=5, watch_seconds=0)


# --------------------------------------------------------------------------------------
# Live inquiries
# --------------------------------------------------------------------------------------

# 14:02:10.123456 in Tokyo.
START = datetime(2026, 11, 23, 5, 2, 10, 123456, tzinfo=UTC)
LIVE = [Outcome.LIVE_BREACH, Outcome.LIVE_MET, Outcome.LIVE_ON_HOLD]


def test_the_live_plan_is_three_inquiries_now_under_demo_fast() -> None:
    plan = plan_live(START)
    start = START.replace(microsecond=0)
    assert [s.outcome for s in plan] == LIVE and [s.index for s in plan] == [0, 1, 2]
    offsets = {s.outcome: [(step.action, (step.at - start).total_seconds())
                           for step in s.steps] for s in plan}
    assert offsets == {
        Outcome.LIVE_BREACH: [(Action.RECEIVE_INQUIRY, 0), (Action.RECORD_FIRST_RESPONSE, 75)],
        Outcome.LIVE_MET: [(Action.RECEIVE_INQUIRY, 0), (Action.RECORD_FIRST_RESPONSE, 15),
                           (Action.RESOLVE, 40)],
        Outcome.LIVE_ON_HOLD: [(Action.RECEIVE_INQUIRY, 0),
                               (Action.RECORD_FIRST_RESPONSE, 10), (Action.PUT_ON_HOLD, 20)],
    }
    assert [simulate(s) for s in plan] == ["RESPONDED", "RESOLVED", "ON_HOLD"]
    hold = plan[2].steps[-1]
    assert hold.params["reason"] == "AWAITING_CUSTOMER" and JAPANESE.search(hold.params["note"])
    for scenario in plan:
        assert scenario.agreement_id == LIVE_AGREEMENT == "demo-fast"
        assert scenario.creates_inquiry and scenario.started_at == start
        assert JAPANESE.search(scenario.subject) and JAPANESE.search(scenario.body)
        assert scenario.department.endswith("課") and scenario.category in CATEGORIES
        assert scenario.caller is not None and JAPANESE.search(scenario.caller.name)
        assert scenario.outcome not in {s.outcome for s in plan_day(DAY)}
    assert plan_live(START) == plan


def test_live_keys_carry_the_start_second() -> None:
    prefix = "madoguchi-demo-live-20261123T050210Z"
    assert live_prefix(START) == prefix
    plan = plan_live(START)
    keys = [step.key for s in plan for step in s.steps]
    assert keys[:3] == [f"{prefix}-0-00", f"{prefix}-0-01", f"{prefix}-1-00"]
    assert len(keys) == len(set(keys)) and all(KEY.match(k) for k in keys)
    assert all(k.startswith(prefix + "-") for k in keys)
    assert [s.correlation_id for s in plan] == [f"{prefix}-{i}" for i in range(3)]
    # The same second in any time zone and with any fraction: the same keys (a retry).
    same = plan_live(START.replace(microsecond=0).astimezone(TOKYO))
    assert [step.key for s in same for step in s.steps] == keys
    # The next second: a new run, new inquiries; and never a key of the historical day.
    later = {step.key for s in plan_live(START + timedelta(seconds=1)) for step in s.steps}
    day_keys = {step.key for s in plan_day(DAY) for step in s.steps}
    assert not later & set(keys) and not day_keys & set(keys)
    with pytest.raises(ValueError):
        plan_live(START.replace(tzinfo=None))


def test_live_requests_are_received_at_the_start() -> None:
    inquiry_id = "00000000-0000-0000-0000-000000000002"
    start = START.replace(microsecond=0)
    for scenario in plan_live(START):
        for step in scenario.steps:
            request = build_request(scenario, step, inquiry_id)
            if step.action == Action.RECEIVE_INQUIRY:
                assert request.contacted_at.ToDatetime(tzinfo=UTC) == start
                assert request.agreement_id == "demo-fast"
                assert request.idempotency_key == step.key
            else:
                context = request.context  # type: ignore[attr-defined]
                assert context.inquiry_id == inquiry_id
                assert context.occurred_at.ToDatetime(tzinfo=UTC) == step.at
    breach = build_request(plan_live(START)[0], plan_live(START)[0].steps[0])
    assert (breach.impact, breach.urgency) == (intake_pb2.MEDIUM, intake_pb2.HIGH)  # P2


def test_live_expectations_are_in_tokyo_time() -> None:
    breach, met, on_hold = plan_live(START)
    assert live_expectation(breach) == "警告 warnings 14:02:40/14:03:04, 違反 breach 14:03:10"
    assert live_expectation(met) == "回答 answered 14:02:25, 解決 resolved 14:02:50: met"
    assert live_expectation(on_hold) == ("回答 answered 14:02:20, 保留 on hold 14:02:30: "
                                         "resolution clock pauses")
    assert [LIVE_LABELS[o][0] for o in LIVE] == ["A", "B", "C"]


class FakeIntake:
    """Answers like intake: ids from keys, versions counted; some keys already stored."""

    def __init__(self, stored: dict[str, int] | None = None, fail: str = "") -> None:
        self.stored = stored or {}       # receipt key suffix ("-2-00") → version stored
        self.fail = fail                 # method name that fails
        self.calls: list[tuple[str, Any]] = []
        self.versions: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        def call(request: Any, timeout: float) -> SimpleNamespace:
            self.calls.append((name, request))
            if name == self.fail:
                raise grpc.RpcError("UNAVAILABLE database is locked")
            replayed = False
            if name == "ReceiveInquiry":
                inquiry_id = "id" + request.idempotency_key[-5:]
                stored = next((v for k, v in self.stored.items()
                               if request.idempotency_key.endswith(k)), 0)
                replayed = bool(stored)
                self.versions[inquiry_id] = stored or 1
            else:
                inquiry_id = request.context.inquiry_id
                self.versions[inquiry_id] += 1
            return SimpleNamespace(replayed=replayed, inquiry=intake_pb2.Inquiry(
                inquiry_id=inquiry_id, version=self.versions[inquiry_id],
                priority=intake_pb2.P2))

        return call


def test_run_live_without_watch_sends_each_step_in_time_order() -> None:
    intake, out = FakeIntake(), io.StringIO()
    # Started two minutes ago: every later step is already due, so nothing waits.
    counts = run_live(intake, "127.0.0.1:9", watch=False, out=out,  # type: ignore[arg-type]
                      now=datetime.now(UTC) - timedelta(minutes=2))
    assert [name for name, _ in intake.calls] == [
        "ReceiveInquiry", "ReceiveInquiry", "ReceiveInquiry",
        "RecordFirstResponse", "RecordFirstResponse", "PutOnHold", "ResolveInquiry",
        "RecordFirstResponse"]
    assert counts["live_inquiries"] == 3 and counts["live_stored"] == 8
    assert counts["live_failed"] == counts["live_breach"] == 0
    text = out.getvalue()
    assert "demo-fast" in text and "madoguchi-demo-live-" in text and "--no-watch" in text
    assert "A 未回答 unanswered" in text and "→ 警告 warnings" in text
    assert "保留 on hold AWAITING_CUSTOMER" in text


def test_run_live_skips_what_a_retry_finds_stored_and_reports_failures() -> None:
    # The on-hold inquiry (#2) is already at version 3 (receipt, response, hold): a retry.
    intake, out = FakeIntake(stored={"-2-00": 3}, fail="ResolveInquiry"), io.StringIO()
    counts = run_live(intake, "127.0.0.1:9", watch=False, out=out,  # type: ignore[arg-type]
                      now=datetime.now(UTC) - timedelta(minutes=2))
    assert [name for name, _ in intake.calls] == [
        "ReceiveInquiry", "ReceiveInquiry", "ReceiveInquiry", "RecordFirstResponse",
        "ResolveInquiry", "RecordFirstResponse"]
    assert counts["live_replayed"] == 3 and counts["live_failed"] == 1
    assert "エラー error: B 即回答 answered ResolveInquiry" in out.getvalue()
