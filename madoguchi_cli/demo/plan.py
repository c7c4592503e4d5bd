"""``plan_day``: a seeded, pure plan of a day's scenarios in Asia/Tokyo business hours."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from madoguchi_cli.demo.data import (
    CHANNEL_SHARE,
    CHOME,
    DEPARTMENT_SLUG,
    GIVEN_NAMES,
    HAPPY_COMMENTS,
    HOURLY_LOAD,
    MAIL_DOMAINS,
    MIXED_COMMENTS,
    OFFICE_HOURS_CHANNELS,
    SURNAMES,
    TOPICS,
    TOWNS,
    UNHAPPY_COMMENTS,
    WRITTEN_CHANNELS,
    Topic,
)
from madoguchi_cli.demo.scenario import (
    ABANDON_RATE,
    CALL_QUEUE,
    CLOSING,
    FIRST_CONTACT_TEAM,
    OFFICE_CLOSING,
    OPENING,
    PHONE_SHARE,
    PRIORITY_AGREEMENT,
    STANDARD_AGREEMENT,
    TOKYO,
    Action,
    Caller,
    Outcome,
    Scenario,
    Step,
)


def tokyo_time(day: date, at: time) -> datetime:
    """The UTC instant of a Tokyo wall-clock time on ``day``."""
    return datetime.combine(day, at, tzinfo=TOKYO).astimezone(UTC)


def yesterday_in_tokyo(now: datetime | None = None) -> date:
    """Yesterday's date in Asia/Tokyo (the default demo day: its times are all past)."""
    current = now or datetime.now(UTC)
    return current.astimezone(TOKYO).date() - timedelta(days=1)


def _quotas(total: int, shares: Sequence[tuple[str, float]]) -> list[str]:
    """``total`` labels split by ``shares`` (largest remainder), in label order."""
    raw = [(name, total * share / sum(s for _, s in shares)) for name, share in shares]
    counts = {name: int(value) for name, value in raw}
    rest = total - sum(counts.values())
    for name, _ in sorted(raw, key=lambda item: item[1] - int(item[1]), reverse=True)[:rest]:
        counts[name] += 1
    return [name for name, _ in shares for _ in range(counts[name])]


def _outcome_quotas(inquiries: int) -> list[Outcome]:
    reopened = 1 if inquiries >= 10 else 0
    still_open = max(1, round(inquiries * 0.05)) if inquiries >= 5 else 0
    tier2 = max(1, round(inquiries * 0.03)) if inquiries >= 10 else 0
    department = max(1, round(inquiries * 0.20)) if inquiries >= 3 else 0
    first = inquiries - reopened - still_open - tier2 - department
    return ([Outcome.FIRST_CONTACT] * first + [Outcome.DEPARTMENT] * department
            + [Outcome.TIER2] * tier2 + [Outcome.OPEN] * still_open
            + [Outcome.REOPENED] * reopened)


def _abandoned_calls(size: int) -> int:
    """Abandoned calls so that about ABANDON_RATE of all offered calls are abandoned."""
    if size < 10:
        return 0
    share = PHONE_SHARE * ABANDON_RATE / (1 - ABANDON_RATE + PHONE_SHARE * ABANDON_RATE)
    return max(1, round(size * share))


class _Chain:
    """Builds a scenario's steps as offsets (seconds) from its first step."""

    def __init__(self) -> None:
        self.offset = 0
        self.items: list[tuple[int, Action, str, dict[str, Any]]] = []

    def add(self, after: int, action: Action, actor: str = "", **params: Any) -> None:
        self.offset += max(0, after)
        self.items.append((self.offset, action, actor, params))


class _Planner:
    """Plans one day; all randomness comes from one seeded generator."""

    def __init__(self, day: date, seed: int, size: int) -> None:
        self.day = day
        self.seed = seed
        self.size = size
        self.rng = random.Random(seed * 1_000_003 + day.toordinal())
        self.opening = tokyo_time(day, OPENING)
        self.window = int((tokyo_time(day, CLOSING) - self.opening).total_seconds())
        self.office_end = int((tokyo_time(day, OFFICE_CLOSING) - self.opening).total_seconds())
        self.prefix = f"madoguchi-demo-{day:%Y%m%d}-s{seed}-n{size}"

    # ----- the day -----

    def plan(self) -> list[Scenario]:
        rng = self.rng
        abandoned = _abandoned_calls(self.size)
        outcomes = _outcome_quotas(self.size - abandoned)
        rng.shuffle(outcomes)
        channels = _quotas(len(outcomes), CHANNEL_SHARE)
        rng.shuffle(channels)
        forced = self._forced_topics(outcomes)
        kinds: list[Outcome] = outcomes + [Outcome.ABANDONED] * abandoned
        drafts: list[Scenario] = []
        for number, outcome in enumerate(kinds):
            if outcome == Outcome.ABANDONED:
                drafts.append(self._abandoned(number))
            else:
                topic = forced.get(number) or self._pick_topic(outcome)
                drafts.append(self._inquiry(number, outcome, channels[number], topic))
        drafts.sort(key=lambda s: (s.started_at, s.index))
        return [self._renumber(s, position) for position, s in enumerate(drafts)]

    def _renumber(self, draft: Scenario, index: int) -> Scenario:
        """Give scenarios their time-ordered index and derive keys from it."""
        prefix = f"{self.prefix}-{index:04d}"
        steps = tuple(
            Step(s.action, s.at, f"{prefix}-{n:02d}", s.actor, _numbered(s.params, index))
            for n, s in enumerate(draft.steps)
        )
        ref = draft.external_ref.replace("#", f"{index:04d}")
        return Scenario(
            index=index, outcome=draft.outcome, channel=draft.channel, kind=draft.kind,
            category=draft.category, subject=draft.subject, body=draft.body,
            department=draft.department, caller=draft.caller, impact=draft.impact,
            urgency=draft.urgency, agreement_id=draft.agreement_id, external_ref=ref,
            correlation_id=prefix if draft.creates_inquiry else "", steps=steps,
        )

    def _forced_topics(self, outcomes: list[Outcome]) -> dict[int, Topic]:
        """Make sure the day has a complaint and a road cave-in among the escalations."""
        wanted = [
            [t for t in TOPICS if t.kind == "COMPLAINT"],
            [t for t in TOPICS if t.subject == "道路の陥没を見つけました"],
        ]
        positions = [i for i, o in enumerate(outcomes) if o == Outcome.DEPARTMENT]
        return {i: self.rng.choice(pool) for i, pool in zip(positions, wanted, strict=False)}

    def _pick_topic(self, outcome: Outcome) -> Topic:
        rng = self.rng
        if outcome in (Outcome.FIRST_CONTACT, Outcome.REOPENED):
            pool = [t for t in TOPICS if t.faq]
        elif outcome == Outcome.TIER2:
            pool = [t for t in TOPICS if t.tier2]
        elif rng.random() < 0.55:
            pool = [t for t in TOPICS if not t.faq]
        else:
            pool = [t for t in TOPICS if t.dept_answer or t.faq]
        # Complaints are a few a day, not one in three escalations.
        weights = [t.weight * (0.5 if t.kind == "COMPLAINT" else 1.0) for t in pool]
        return rng.choices(pool, weights=weights)[0]

    # ----- people and times -----

    def _caller(self, channel: str) -> Caller:
        rng = self.rng
        surname, surname_romaji = rng.choice(SURNAMES)
        given, given_romaji = rng.choice(GIVEN_NAMES)
        wants_phone = {"PHONE": 1.0, "FAX": 1.0, "WALK_IN": 0.7, "WEB_FORM": 0.6,
                       "LETTER": 0.5, "EMAIL": 0.4, "CHAT": 0.2}[channel]
        wants_mail = {"EMAIL": 1.0, "WEB_FORM": 1.0, "CHAT": 0.5, "PHONE": 0.2}.get(channel, 0.1)
        phone = email = ""
        if rng.random() < wants_phone:
            phone = f"{rng.choice(('090', '080', '070'))}-{rng.randint(0, 9999):04d}-" \
                    f"{rng.randint(0, 9999):04d}"
        if rng.random() < wants_mail:
            email = f"{given_romaji}.{surname_romaji}{rng.randint(1, 99)}@" \
                    f"{rng.choice(MAIL_DOMAINS)}"
        return Caller(name=f"{surname} {given}", phone=phone, email=email)

    def _place(self) -> str:
        return f"{self.rng.choice(TOWNS)}{self.rng.choice(CHOME)}丁目"

    def _agent(self) -> str:
        return f"cc-op-{self.rng.randint(1, 14):02d}"

    def _staff(self, department: str) -> str:
        return f"dept-{DEPARTMENT_SLUG.get(department, 'staff')}-{self.rng.randint(1, 4):02d}"

    def _minutes(self, low: float, high: float) -> int:
        return int(self.rng.uniform(low * 60, high * 60))

    def _wait_seconds(self) -> int:
        return self.rng.randint(3, 45) + (self.rng.randint(0, 150) if self.rng.random() < 0.3
                                          else 0)

    def _place_chain(self, chain: _Chain, *, latest_start: int, late: bool = False
                     ) -> list[tuple[datetime, Action, str, dict[str, Any]]]:
        """Choose a start so the whole chain fits the day; shrink it if it cannot."""
        total = chain.items[-1][0]
        items = chain.items
        if total > self.window * 0.8:
            factor = self.window * 0.8 / total
            items = [(int(o * factor), a, who, p) for o, a, who, p in items]
            total = items[-1][0]
        high = max(0, min(latest_start, self.window - total))
        low = max(0, high - 150 * 60) if late else 0
        start = self._sample_start(low, high)
        return [(self.opening + timedelta(seconds=start + o), a, who, p)
                for o, a, who, p in items]

    def _sample_start(self, low: int, high: int) -> int:
        """A start second in [low, high], weighted by the hourly load."""
        segments: list[tuple[int, int, float]] = []
        base = OPENING.hour * 3600 + OPENING.minute * 60
        for hour, load in HOURLY_LOAD.items():
            seg_low = max(low, hour * 3600 - base)
            seg_high = min(high, (hour + 1) * 3600 - base)
            if seg_high > seg_low:
                segments.append((seg_low, seg_high, load * (seg_high - seg_low) / 3600))
        if not segments:
            return low
        seg_low, seg_high, _ = self.rng.choices(segments, weights=[w for *_, w in segments])[0]
        return self.rng.randint(seg_low, seg_high)

    # ----- scenarios -----

    def _abandoned(self, number: int) -> Scenario:
        chain = _Chain()
        call_id = f"CALL-{self.day:%Y%m%d}-#-1"
        chain.add(0, Action.RECORD_CONTACT_ATTEMPT, outcome="OFFERED", queue=CALL_QUEUE,
                  wait_seconds=0, call_id=call_id, link=False)
        wait_seconds = self.rng.randint(25, 240)
        chain.add(wait_seconds, Action.RECORD_CONTACT_ATTEMPT, outcome="ABANDONED",
                  queue=CALL_QUEUE, wait_seconds=wait_seconds, call_id=call_id, link=False)
        placed = self._place_chain(chain, latest_start=self.window)
        return Scenario(index=number, outcome=Outcome.ABANDONED, channel="PHONE",
                        steps=_steps(placed))

    def _inquiry(self, number: int, outcome: Outcome, channel: str, topic: Topic) -> Scenario:
        rng = self.rng
        agent = self._agent()
        chain = _Chain()
        calls = 0

        def call(after: int, note: str = "") -> None:
            """A phone call: offered, answered, and taken as the receipt or a further contact."""
            nonlocal calls
            calls += 1
            call_id = f"CALL-{self.day:%Y%m%d}-#-{calls}"
            wait_seconds = self._wait_seconds()
            chain.add(after, Action.RECORD_CONTACT_ATTEMPT, outcome="OFFERED", queue=CALL_QUEUE,
                      wait_seconds=0, call_id=call_id, link=False)
            if not note:
                chain.add(wait_seconds, Action.RECEIVE_INQUIRY, agent)
            else:
                chain.add(wait_seconds, Action.LOG_CONTACT, agent, channel="PHONE",
                          direction="INBOUND", note=note)
            chain.add(0, Action.RECORD_CONTACT_ATTEMPT, outcome="ANSWERED", queue=CALL_QUEUE,
                      wait_seconds=wait_seconds, call_id=call_id, link=True)

        def further_contact(after: int, note: str, avoid: str) -> None:
            options = [c for c in ("EMAIL", "PHONE", "WEB_FORM") if c != avoid]
            other = rng.choice(options)
            if other == "PHONE":
                call(after, note)
            else:
                chain.add(after, Action.LOG_CONTACT, agent, channel=other,
                          direction="INBOUND", note=note)

        # Receipt and the first response.
        if channel == "PHONE":
            call(0)
        else:
            chain.add(0, Action.RECEIVE_INQUIRY, agent)
        late_message = outcome == Outcome.OPEN and channel in WRITTEN_CHANNELS \
            and rng.random() < 0.5
        if not late_message:
            respond_after, respond_on = {
                "PHONE": (rng.randint(40, 180), "PHONE"),
                "CHAT": (rng.randint(20, 90), "CHAT"),
                "WALK_IN": (rng.randint(60, 300), "WALK_IN"),
                "EMAIL": (self._minutes(10, 150), "EMAIL"),
                "WEB_FORM": (self._minutes(10, 150), "EMAIL"),
                "FAX": (self._minutes(20, 120), "FAX"),
                "LETTER": (self._minutes(30, 180), "PHONE"),
            }[channel]
            chain.add(respond_after, Action.RECORD_FIRST_RESPONSE, agent, channel=respond_on)

        resolved = False
        if outcome in (Outcome.FIRST_CONTACT, Outcome.REOPENED):
            chain.add(rng.randint(60, 420), Action.RESOLVE, agent, resolution_code="ANSWERED_FAQ",
                      resolution_text=topic.answer, faq_entry_id=topic.faq)
            resolved = True
        if outcome == Outcome.REOPENED:
            further_contact(self._minutes(45, 150), "案内どおりに手続きしたが、うまくいかなかった"
                            "と再度連絡あり", channel)
            chain.add(rng.randint(60, 240), Action.REOPEN, agent,
                      reason="案内した方法では解決しなかったと再度連絡があったため")
            resolved = False
        if outcome == Outcome.FIRST_CONTACT and rng.random() < 0.06:
            further_contact(self._minutes(20, 120), "回答へのお礼と、手続きが済んだとの連絡",
                            channel)

        if outcome in (Outcome.DEPARTMENT, Outcome.TIER2, Outcome.REOPENED) or (
                outcome == Outcome.OPEN and not late_message):
            chain.add(rng.randint(30, 300), Action.ASSIGN, agent, team=FIRST_CONTACT_TEAM,
                      assignee=agent)
            if outcome == Outcome.TIER2:
                chain.add(rng.randint(60, 300), Action.ESCALATE, agent, target="TIER", to_tier=2,
                          reason="制度の個別適用について詳しい説明が必要なため二次対応へ引き継ぎ")
            else:
                reason = _escalation_reason(topic)
                if outcome == Outcome.OPEN:
                    reason += "(回答は翌開庁日の予定)"
                chain.add(rng.randint(60, 600), Action.ESCALATE, agent, target="DEPARTMENT",
                          to_department=topic.department, reason=reason)
            staff = self._staff(topic.department)
            if outcome in (Outcome.DEPARTMENT, Outcome.OPEN) and rng.random() < 0.35:
                chain.add(self._minutes(15, 75), Action.PUT_ON_HOLD, staff,
                          reason="AWAITING_CUSTOMER", note=_hold_note(topic))
                if outcome == Outcome.DEPARTMENT:
                    further_contact(self._minutes(20, 100), _reply_note(topic), channel)
                    chain.add(rng.randint(120, 900), Action.RESUME, staff,
                              note="ご本人から必要な情報を受け取ったため対応を再開")
            elif outcome == Outcome.DEPARTMENT and rng.random() < 0.3:
                chain.add(self._minutes(20, 90), Action.LOG_CONTACT, staff, channel="PHONE",
                          direction="OUTBOUND",
                          note=f"{topic.department}から折り返し電話し、詳しい状況を確認")
            if outcome == Outcome.TIER2:
                chain.add(self._minutes(15, 90), Action.RESOLVE, "cc-sv-01",
                          resolution_code="ANSWERED_BY_TIER2",
                          resolution_text="二次対応の専門オペレーターから制度の詳細と手続きを"
                                          "説明しました。" + topic.answer)
                resolved = True
            elif outcome != Outcome.OPEN:
                chain.add(self._minutes(30, 180), Action.RESOLVE, staff,
                          resolution_code="ANSWERED_BY_DEPARTMENT",
                          resolution_text=topic.dept_answer
                          or f"{topic.department}の担当者から個別に連絡し、回答しました。")
                resolved = True

        if resolved:
            if rng.random() < 0.4:
                score, comment = self._satisfaction(topic)
                chain.add(self._minutes(1, 45), Action.RECORD_SATISFACTION,
                          "survey-ivr" if channel == "PHONE" else "survey-web",
                          score=score, comment=comment)
            if rng.random() < (0.5 if outcome == Outcome.FIRST_CONTACT else 0.4):
                chain.add(self._minutes(10, 90), Action.CLOSE, agent)

        latest = self.office_end if channel in OFFICE_HOURS_CHANNELS else self.window
        late = outcome == Outcome.OPEN
        placed = self._place_chain(chain, latest_start=latest, late=late)
        priority = topic.kind in ("COMPLAINT", "INCIDENT")
        place = self._place()
        return Scenario(
            index=number, outcome=outcome, channel=channel, kind=topic.kind,
            category=topic.category, subject=topic.subject.format(place=place),
            body=topic.body.format(place=place), department=topic.department,
            caller=self._caller(channel), impact=topic.impact, urgency=topic.urgency,
            agreement_id=PRIORITY_AGREEMENT if priority else STANDARD_AGREEMENT,
            external_ref=f"WEBFORM-{self.day:%Y%m%d}-#" if channel == "WEB_FORM" else "",
            steps=_steps(placed),
        )

    def _satisfaction(self, topic: Topic) -> tuple[int, str]:
        rng = self.rng
        if topic.kind == "COMPLAINT":
            score = rng.choices(range(0, 8), weights=[1, 2, 3, 4, 4, 3, 2, 1])[0]
        else:
            score = rng.choices(range(3, 11), weights=[1, 1, 2, 4, 10, 20, 24, 22])[0]
        pool = HAPPY_COMMENTS if score >= 8 else MIXED_COMMENTS if score >= 5 \
            else UNHAPPY_COMMENTS
        return score, rng.choice(pool)


def _steps(placed: list[tuple[datetime, Action, str, dict[str, Any]]]) -> tuple[Step, ...]:
    """Steps without keys yet (``_Planner._renumber`` adds them)."""
    return tuple(Step(action, at, "", actor, dict(params)) for at, action, actor, params in placed)


def _numbered(params: dict[str, Any], index: int) -> dict[str, Any]:
    """Params with the scenario number filled into a call id."""
    if "call_id" not in params:
        return dict(params)
    return {**params, "call_id": params["call_id"].replace("#", f"{index:04d}")}


def _escalation_reason(topic: Topic) -> str:
    if topic.kind == "INCIDENT":
        return f"現地確認と補修・撤去の手配が必要なため{topic.department}へ引き継ぎ"
    if topic.kind == "COMPLAINT":
        return f"苦情のため、{topic.department}で事実を確認のうえ回答する"
    return f"個別の事情の確認が必要なため{topic.department}へ引き継ぎ"


def _hold_note(topic: Topic) -> str:
    if topic.kind == "INCIDENT":
        return "正確な場所がわかる写真の送付をご本人に依頼"
    if topic.kind == "COMPLAINT":
        return "事実確認のため、日時や状況の詳細をご本人に確認中"
    return "必要書類(本人確認書類の写し)の提出をご本人に依頼"


def _reply_note(topic: Topic) -> str:
    if topic.kind == "INCIDENT":
        return "ご本人から現場の写真と位置情報を受領"
    return "ご本人から依頼していた情報・書類を受領"


def plan_day(day: date, *, seed: int = 7, size: int = 120) -> list[Scenario]:
    """The day's scenarios (``size`` of them, abandoned calls included), in time order.

    Pure and deterministic for (day, seed, size). Every step lies between 08:30 and 20:30
    Asia/Tokyo on ``day``; step times are UTC.
    """
    if size < 1:
        raise ValueError("size must be at least 1")
    return _Planner(day, seed, size).plan()


# --------------------------------------------------------------------------------------
# Live inquiries (pure)
# --------------------------------------------------------------------------------------


