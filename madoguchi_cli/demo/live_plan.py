"""``plan_live``: three inquiries received now under ``demo-fast``, and what to expect
of each (warnings, breach, met targets, a paused clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from madoguchi_cli.demo.data import Topic
from madoguchi_cli.demo.scenario import (
    LIVE_AGREEMENT,
    LIVE_FIRST_RESPONSE_SECONDS,
    LIVE_WARNING_PERCENTS,
    TOKYO,
    Action,
    Caller,
    Outcome,
    Scenario,
    Step,
)

LIVE_LABELS = {
    Outcome.LIVE_BREACH: "A 未回答 unanswered",
    Outcome.LIVE_MET: "B 即回答 answered",
    Outcome.LIVE_ON_HOLD: "C 保留 on hold",
}


def live_prefix(start: datetime) -> str:
    """Idempotency-key prefix of one run's live inquiries: its start time, UTC, to the second."""
    return f"madoguchi-demo-live-{start.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def plan_live(start: datetime) -> list[Scenario]:
    """Three inquiries received at ``start`` (aware; cut to the second) under ``demo-fast``.

    Pure and deterministic for the start second. ``LIVE_BREACH`` is answered only after
    75 s, after its breach,
    ``LIVE_MET`` is answered after 15 s and resolved after 40 s, ``LIVE_ON_HOLD`` is answered
    after 10 s and put on hold awaiting the customer after 20 s. Keys are
    ``<live_prefix(start)>-<index>-<step>``.
    """
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    start = start.astimezone(UTC).replace(microsecond=0)
    prefix = live_prefix(start)
    plans: list[tuple[Outcome, str, Topic, Caller, list[tuple[int, Action, str,
                                                                 dict[str, Any]]]]] = [
        (Outcome.LIVE_BREACH, "EMAIL",
         Topic("住民票・戸籍", "REQUEST", "住民票の写しを至急郵送してほしい",
                "明日の午前中に勤務先へ提出する必要があります。住民票の写しを今日中に発送して"
                "いただけますか。本人確認書類はメールで送れます。", "市民課", "MEDIUM", "HIGH"),
         Caller("小林 さくら", email="sakura.kobayashi12@example.com"),
         # Answered late, after the breach: the monitor resolves the alert as ANSWERED,
         # so a demo leaves no alert reminding on-call staff for ever.
         [(75, Action.RECORD_FIRST_RESPONSE, "cc-op-02", {"channel": "EMAIL"})]),
        (Outcome.LIVE_MET, "CHAT",
         Topic("ごみ・リサイクル", "QUESTION", "粗大ごみの収集日を知りたい",
                "本棚を処分したいです。粗大ごみの収集日と申し込み方法を教えてください。",
                "環境課", "LOW", "MEDIUM"),
         Caller("井上 健一", email="kenichi.inoue7@example.net"),
         [(15, Action.RECORD_FIRST_RESPONSE, "cc-op-03", {"channel": "CHAT"}),
          (40, Action.RESOLVE, "cc-op-03", {
              "resolution_code": "ANSWERED_FAQ", "faq_entry_id": "FAQ-GOMI-003",
              "resolution_text": "粗大ごみは事前申込制です。粗大ごみ受付センターかWebで申し込み、"
                                 "処理券を購入して収集日の朝8時までに出してください。"})]),
        (Outcome.LIVE_ON_HOLD, "WEB_FORM",
         Topic("道路", "REQUEST", "街路樹の枝を切ってほしい",
                "桜町二丁目の歩道の街路樹の枝が伸びて、通学路の見通しが悪くなっています。"
                "剪定をお願いします。", "道路管理課", "MEDIUM", "MEDIUM"),
         Caller("木村 直樹", phone="080-2468-1357", email="naoki.kimura3@example.org"),
         [(10, Action.RECORD_FIRST_RESPONSE, "cc-op-05", {"channel": "EMAIL"}),
          (20, Action.PUT_ON_HOLD, "dept-doro-02", {
              "reason": "AWAITING_CUSTOMER",
              "note": "正確な場所がわかる写真の送付をご本人に依頼"})]),
    ]
    scenarios: list[Scenario] = []
    for index, (outcome, channel, topic, caller, later) in enumerate(plans):
        key = f"{prefix}-{index}"
        steps = [Step(Action.RECEIVE_INQUIRY, start, f"{key}-00", "cc-op-01")]
        steps += [Step(action, start + timedelta(seconds=after), f"{key}-{n:02d}", actor,
                       dict(params))
                  for n, (after, action, actor, params) in enumerate(later, start=1)]
        scenarios.append(Scenario(
            index=index, outcome=outcome, channel=channel, kind=topic.kind,
            category=topic.category, subject=topic.subject, body=topic.body,
            department=topic.department, caller=caller, impact=topic.impact,
            urgency=topic.urgency, agreement_id=LIVE_AGREEMENT,
            external_ref=f"LIVE-{start:%Y%m%d%H%M%S}-{index}" if channel == "WEB_FORM" else "",
            correlation_id=key, steps=tuple(steps)))
    return scenarios


def live_expectation(scenario: Scenario) -> str:
    """What the SLA monitor should make of a live scenario, in Tokyo time (demo-fast terms)."""
    start = scenario.started_at

    def at(seconds: float) -> str:
        return f"{(start + timedelta(seconds=seconds)).astimezone(TOKYO):%H:%M:%S}"

    later = {step.action: step for step in scenario.steps[1:]}
    if scenario.outcome == Outcome.LIVE_BREACH:
        warnings = "/".join(at(LIVE_FIRST_RESPONSE_SECONDS * p / 100)
                            for p in LIVE_WARNING_PERCENTS)
        return f"警告 warnings {warnings}, 違反 breach {at(LIVE_FIRST_RESPONSE_SECONDS)}"
    answered = later[Action.RECORD_FIRST_RESPONSE].at.astimezone(TOKYO)
    if scenario.outcome == Outcome.LIVE_MET:
        resolved = later[Action.RESOLVE].at.astimezone(TOKYO)
        return f"回答 answered {answered:%H:%M:%S}, 解決 resolved {resolved:%H:%M:%S}: met"
    hold = later[Action.PUT_ON_HOLD].at.astimezone(TOKYO)
    return (f"回答 answered {answered:%H:%M:%S}, 保留 on hold {hold:%H:%M:%S}: "
            "resolution clock pauses")


# --------------------------------------------------------------------------------------
# Requests (pure)
# --------------------------------------------------------------------------------------


