"""The demo's suppliers: an outsourced operator and a maintenance vendor, with a day of work.

``supplier_setup`` gives the two suppliers and their fiscal-year contracts (Japanese
municipalities contract per fiscal year, April to March; the contract codes carry the
year, so registering them again is a replay). ``plan_supplier_day`` turns the demo day
into four inquiries that intake escalates to a supplier, and what each supplier then does
through its own portal calls:

* 街路灯 (street light out): the maintenance vendor acknowledges within its target and
  repairs it the same day — met;
* 公園の遊具 (broken playground equipment, P2): acknowledged 2 h 25 min after the
  escalation against a 60-minute target — the demo's **supplier breach**, which accrues
  the contract's penalty per started hour late;
* 納付書の再発行 (an evening callback): the outsourced operator takes it over after the
  desk's hours and answers it — met;
* 粗大ごみ (bulky waste) escalated to the maintenance vendor by mistake: no contract covers
  that category, so the engagement is opened with the gap reported, and the vendor hands it
  back; the desk sends it to the department instead.

Pure: the same day always gives the same plan.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from time import monotonic, sleep
from typing import Any, TextIO

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from madoguchi.api.intake.v1 import intake_pb2 as ipb
from madoguchi.api.supplier.v1 import supplier_pb2 as spb
from madoguchi.api.supplier.v1 import supplier_pb2_grpc as spb_grpc
from madoguchi.rpc.channels import open_channel
from madoguchi_cli.demo.scenario import TOKYO

OPERATOR = "kcc-operator"
MAINTENANCE = "sakura-facility"


@dataclass(frozen=True)
class SupplierSetup:
    supplier_id: str
    name: str
    services: tuple[str, ...]
    contacts: tuple[dict[str, str], ...]
    contract_id: str
    terms: dict[str, Any]


def fiscal_year(day: date) -> int:
    """Japanese fiscal year: April to March, named by the year it starts."""
    return day.year if day.month >= 4 else day.year - 1


def _every_day(hours: str) -> dict[str, list[str]]:
    return {d: [hours] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def supplier_setup(day: date) -> list[SupplierSetup]:
    """The two suppliers and their contracts for the fiscal year of ``day``."""
    fy = fiscal_year(day)
    validity = {"valid_from": f"{fy}-04-01", "valid_until": f"{fy + 1}-03-31"}
    return [
        SupplierSetup(
            supplier_id=OPERATOR, name="株式会社かもめコールセンター",
            services=("コールセンター運営", "夜間・休日の折り返し対応"),
            contacts=({"name": "運営責任者 田村 恵", "role": "ACCOUNT",
                       "email": "tamura@kamome-cc.example.jp", "phone": "03-5555-0101"},
                      {"name": "SV デスク", "role": "ESCALATION",
                       "email": "sv-desk@kamome-cc.example.jp", "phone": "03-5555-0102"}),
            contract_id=f"KCC-FY{fy}",
            terms={
                "title": f"{fy}年度 市民コールセンター運営業務委託",
                **validity,
                "covers": [],
                "calendar": {"time_zone": "Asia/Tokyo", "weekly_hours": _every_day(
                    "08:00-21:00"), "holiday_country": "", "closures": []},
                "targets": [{"priority": "", "acknowledge_minutes": 15,
                             "resolve_minutes": 120}],
                "warning_percents": [75],
                "reminder_minutes": 30,
                "penalty": {"rule": "FIXED", "amount": 30000, "currency": "JPY",
                            "monthly_cap": 150000},
                "expiry_warning_days": 90,
            }),
        SupplierSetup(
            supplier_id=MAINTENANCE, name="さくら設備保守株式会社",
            services=("道路照明保守", "公園・公共施設設備保守"),
            contacts=({"name": "保守受付センター", "role": "ESCALATION",
                       "email": "uketsuke@sakura-fm.example.jp", "phone": "0120-000-555"},),
            contract_id=f"SFM-FY{fy}",
            terms={
                "title": f"{fy}年度 道路照明・公園施設保守業務委託",
                **validity,
                "covers": ["道路", "公園・施設"],
                "calendar": {"time_zone": "Asia/Tokyo", "weekly_hours": _every_day(
                    "08:00-20:00"), "holiday_country": "", "closures": []},
                "targets": [
                    {"priority": "P1", "acknowledge_minutes": 30, "resolve_minutes": 240},
                    {"priority": "P2", "acknowledge_minutes": 60, "resolve_minutes": 480},
                    {"priority": "", "acknowledge_minutes": 60, "resolve_minutes": 960},
                ],
                "warning_percents": [75],
                "reminder_minutes": 30,
                "penalty": {"rule": "PER_STARTED_HOUR", "amount": 10000, "currency": "JPY",
                            "monthly_cap": 300000},
                "expiry_warning_days": 60,
            }),
    ]


@dataclass(frozen=True)
class SupplierStep:
    """One call of a supplier scenario at its real-world time (UTC).

    ``who`` is ``desk`` (intake, as service-desk staff) or ``supplier`` (the supplier's
    own portal call, made with that supplier's identity).
    """

    at: datetime
    who: str
    action: str       # desk: receive, respond, escalate, resolve, close;
                      # supplier: acknowledge, note, resolve, hand_back
    actor: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SupplierScenario:
    index: int
    key: str                  # idempotency key of the inquiry
    supplier_id: str
    channel: str
    kind: str
    category: str
    department: str
    subject: str
    body: str
    caller: str
    phone: str
    impact: str
    urgency: str
    expectation: str          # what the demo says should come of it
    steps: tuple[SupplierStep, ...]


def _at(day: date, hhmm: str) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), TOKYO).astimezone(UTC)


def plan_supplier_day(day: date) -> list[SupplierScenario]:
    """The four supplier scenarios of ``day`` (Asia/Tokyo), steps in time order."""
    plans: list[tuple[str, str, str, str, str, str, str, str, str, str, str, str,
                      list[tuple[str, str, str, str, dict[str, Any]]]]] = [
        (MAINTENANCE, "PHONE", "INCIDENT", "道路", "道路管理課", "街路灯が消えている",
         "緑町三丁目の交差点の街路灯が昨夜から点灯していません。夜は真っ暗で危ないです。",
         "山本 修", "090-3141-5926", "MEDIUM", "MEDIUM", "met: acknowledged in 18 min",
         [("09:20", "desk", "receive", "cc-op-04", {}),
          ("09:22", "desk", "respond", "cc-op-04", {"channel": "PHONE"}),
          ("09:40", "desk", "escalate", "dept-doro-01",
           {"reason": "街路灯の修理を保守業者に依頼"}),
          ("09:58", "supplier", "acknowledge", "sfm-uketsuke",
           {"note": "受付しました。本日中に現地確認します。"}),
          ("11:30", "supplier", "note", "sfm-tech-07",
           {"note": "現地確認。安定器の故障のため交換します。"}),
          ("14:10", "supplier", "resolve", "sfm-tech-07",
           {"resolution": "安定器を交換し、点灯を確認しました。"}),
          ("14:40", "desk", "resolve", "dept-doro-01",
           {"code": "REPAIRED_BY_SUPPLIER", "text": "保守業者が修理し、点灯を確認しました。"}),
          ("15:00", "desk", "close", "dept-doro-01", {})]),
        (MAINTENANCE, "WEB_FORM", "INCIDENT", "公園・施設", "公園緑地課", "公園の遊具が壊れている",
         "ひかり公園のすべり台の手すりが外れかけています。子どもが使うので早急に対応して"
         "ください。", "佐々木 美穂", "080-1122-3344", "HIGH", "MEDIUM",
         "breach: acknowledged 2 h 25 min after the escalation (target 60 min), "
         "penalty per started hour late",
         [("10:05", "desk", "receive", "cc-op-02", {}),
          ("10:07", "desk", "respond", "cc-op-02", {"channel": "EMAIL"}),
          ("10:15", "desk", "escalate", "dept-koen-01",
           {"reason": "遊具の緊急修理を保守業者に依頼。使用禁止の表示も依頼"}),
          ("12:40", "supplier", "acknowledge", "sfm-uketsuke",
           {"note": "受付が遅れ申し訳ありません。午後に現地へ向かいます。"}),
          ("13:30", "supplier", "note", "sfm-tech-03",
           {"note": "現地到着。すべり台を使用禁止にし、手すりの部品を手配しました。"}),
          ("16:50", "supplier", "resolve", "sfm-tech-03",
           {"resolution": "手すりを交換し、安全点検を行いました。使用禁止を解除しました。"}),
          ("17:10", "desk", "resolve", "dept-koen-01",
           {"code": "REPAIRED_BY_SUPPLIER", "text": "保守業者が手すりを交換しました。"})]),
        (OPERATOR, "WEB_FORM", "REQUEST", "税", "税務課", "固定資産税の納付書を再発行してほしい",
         "納付書を紛失しました。今月末の納期限までに再発行をお願いします。夜なら電話に"
         "出られます。", "高橋 誠", "03-3456-7890", "MEDIUM", "MEDIUM",
         "met: the operator calls back in the evening",
         [("19:30", "desk", "receive", "cc-op-06", {}),
          ("19:32", "desk", "respond", "cc-op-06", {"channel": "EMAIL"}),
          ("19:35", "desk", "escalate", "cc-op-06",
           {"reason": "夜間の折り返し電話を委託先に依頼"}),
          ("19:41", "supplier", "acknowledge", "kcc-sv-01", {"note": "折り返し対応します。"}),
          ("20:05", "supplier", "resolve", "kcc-op-12",
           {"resolution": "お客様に折り返し、再発行の手続きを案内しました。"}),
          ("20:15", "desk", "resolve", "cc-op-06",
           {"code": "ANSWERED_BY_SUPPLIER", "text": "委託先が折り返し、再発行を案内しました。"})]),
        (MAINTENANCE, "PHONE", "REQUEST", "ごみ・リサイクル", "環境課",
         "不法投棄された家電を回収してほしい",
         "空き地に冷蔵庫が捨てられています。回収をお願いします。", "中村 大輔", "070-2222-8080",
         "LOW", "MEDIUM", "gap: no contract covers ごみ・リサイクル; handed back",
         [("11:00", "desk", "receive", "cc-op-03", {}),
          ("11:02", "desk", "respond", "cc-op-03", {"channel": "PHONE"}),
          ("11:10", "desk", "escalate", "cc-op-03", {"reason": "回収を保守業者に依頼"}),
          ("11:50", "supplier", "hand_back", "sfm-uketsuke",
           {"reason": "不法投棄の回収は当社の契約範囲外です。環境課へお回しください。"}),
          ("12:10", "desk", "escalate_department", "cc-op-03",
           {"to_department": "環境課", "reason": "委託先の範囲外のため環境課へ"}),
          ("15:30", "desk", "resolve", "env-02",
           {"code": "COLLECTED", "text": "環境課が冷蔵庫を回収しました。"})]),
    ]
    scenarios = []
    for index, (supplier_id, channel, kind, category, department, subject, body, caller,
                phone, impact, urgency, expectation, steps) in enumerate(plans):
        scenarios.append(SupplierScenario(
            index=index, key=f"madoguchi-demo-supplier-{day:%Y%m%d}-{index}",
            supplier_id=supplier_id, channel=channel, kind=kind, category=category,
            department=department, subject=subject, body=body, caller=caller, phone=phone,
            impact=impact, urgency=urgency, expectation=expectation,
            steps=tuple(SupplierStep(_at(day, hhmm), who, action, actor, params)
                        for hhmm, who, action, actor, params in steps)))
    return scenarios


def breach_expected(scenarios: list[SupplierScenario]) -> SupplierScenario:
    """The scenario whose supplier breaches (the demo waits for its penalty)."""
    return next(s for s in scenarios if s.expectation.startswith("breach"))


# --------------------------------------------------------------------------------------
# Sending (gRPC): intake as the desk, the supplier service as managers and suppliers
# --------------------------------------------------------------------------------------

IDENTITY_KEY = "x-madoguchi-supplier-id"   # set by an authenticating proxy in production
_DESK_EVENT = {"respond": "InquiryFirstResponseRecorded", "escalate": "InquiryEscalated",
               "escalate_department": "InquiryEscalated", "resolve": "InquiryResolved",
               "close": "InquiryClosed"}
_FINAL = {"resolve": "RESOLVED", "hand_back": "HANDED_BACK"}
KEPT = " (an earlier run registered other terms; kept)"


def _stamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


def _wait(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout:.0f} s")
        sleep(0.2)


class SupplierDemo:
    """Registers the suppliers, then plays the supplier scenarios of one day."""

    def __init__(self, intake: Any, management: Any, portal: Any, say: Callable[[str], None],
                 wait_seconds: float = 30.0) -> None:
        self.intake = intake
        self.management = management
        self.portal = portal
        self.say = say
        self.wait_seconds = wait_seconds
        self.counts = {"suppliers": 0, "contracts": 0, "engagements": 0, "supplier_calls": 0,
                       "penalty_yen": 0, "supplier_failed": 0}

    # ----- set-up -----

    def register(self, day: date) -> None:
        for setup in supplier_setup(day):
            reply = self._kept(lambda s=setup: self.management.RegisterSupplier(
                spb.RegisterSupplierRequest(
                    supplier_id=s.supplier_id, name=s.name, services=list(s.services),
                    contacts=[spb.Contact(**c) for c in s.contacts],
                    reason="デモ demo", meta=spb.RequestMeta(actor="demo-admin"))))
            self.counts["suppliers"] += 1
            contract = self._kept(lambda s=setup: self.management.RegisterContract(
                spb.RegisterContractRequest(
                    contract_id=s.contract_id, supplier_id=s.supplier_id,
                    terms_json=json.dumps(s.terms, ensure_ascii=False), reason="年度契約",
                    meta=spb.RequestMeta(actor="demo-admin"))))
            self.counts["contracts"] += 1
            penalty = setup.terms["penalty"]
            rule = ("違反1件ごと per breach" if penalty["rule"] == "FIXED"
                    else "遅延1時間ごと per started hour late")
            self.say(f"  委託先 supplier {setup.supplier_id} {setup.name}"
                     f"{' (registered before)' if reply is None or reply.replayed else ''}: "
                     f"契約 {setup.contract_id} {setup.terms['valid_from']}〜"
                     f"{setup.terms['valid_until']}, 違約金 {penalty['amount']:,} 円 {rule}, "
                     f"上限 cap {penalty['monthly_cap']:,} 円/月"
                     f"{KEPT if contract is None else ''}")

    def _kept(self, call: Callable[[], Any]) -> Any:
        """Run a creating call; ALREADY_EXISTS means an earlier run registered other terms."""
        try:
            return call()
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.ALREADY_EXISTS:
                return None
            raise

    # ----- scenarios -----

    def play(self, scenario: SupplierScenario) -> str:
        """Send one scenario's steps in order; return its inquiry id."""
        first = scenario.steps[0]
        reply = self.intake.ReceiveInquiry(ipb.ReceiveInquiryRequest(
            idempotency_key=scenario.key, channel=ipb.Channel.Value(scenario.channel),
            kind=ipb.InquiryKind.Value(scenario.kind),
            contact=ipb.Contact(name=scenario.caller, phone=scenario.phone,
                                preferred_language="ja"),
            subject=scenario.subject, body=scenario.body, category=scenario.category,
            department=scenario.department, impact=ipb.Level.Value(scenario.impact),
            urgency=ipb.Level.Value(scenario.urgency), agreement_id="citizen-standard",
            contacted_at=_stamp(first.at), actor=first.actor, correlation_id=scenario.key))
        inquiry_id = str(reply.inquiry.inquiry_id)
        engagement = ""
        for n, step in enumerate(scenario.steps[1:], start=1):
            if step.who == "desk":
                self._desk(scenario, inquiry_id, step)
            else:
                engagement = engagement or self._engagement(scenario, inquiry_id)
                self._supplier(scenario, engagement, step, f"{scenario.key}-{n:02d}")
                if step.action in _FINAL:
                    self._outcome_on_inquiry(inquiry_id)
        return inquiry_id

    def _history(self, inquiry_id: str) -> list[Any]:
        return list(self.intake.GetInquiry(ipb.GetInquiryRequest(
            inquiry_id=inquiry_id, include_history=True)).history)

    def _desk(self, scenario: SupplierScenario, inquiry_id: str, step: SupplierStep) -> None:
        event_type = _DESK_EVENT[step.action]
        done = any(h.event_type == event_type and h.occurred_at.ToDatetime(UTC) == step.at
                   for h in self._history(inquiry_id))
        if done:
            return
        context = ipb.CommandContext(inquiry_id=inquiry_id, actor=step.actor,
                                     occurred_at=_stamp(step.at),
                                     correlation_id=scenario.key)
        p = step.params
        if step.action == "respond":
            self.intake.RecordFirstResponse(ipb.RecordFirstResponseRequest(
                context=context, channel=ipb.Channel.Value(p["channel"])))
        elif step.action == "escalate":
            self.intake.EscalateInquiry(ipb.EscalateInquiryRequest(
                context=context, target=ipb.SUPPLIER, to_supplier_id=scenario.supplier_id,
                reason=p["reason"]))
        elif step.action == "escalate_department":
            self.intake.EscalateInquiry(ipb.EscalateInquiryRequest(
                context=context, target=ipb.DEPARTMENT, to_department=p["to_department"],
                reason=p["reason"]))
        elif step.action == "resolve":
            self.intake.ResolveInquiry(ipb.ResolveInquiryRequest(
                context=context, resolution_code=p["code"], resolution_text=p["text"]))
        elif step.action == "close":
            self.intake.CloseInquiry(ipb.CloseInquiryRequest(context=context))

    def _engagement(self, scenario: SupplierScenario, inquiry_id: str) -> str:
        """The engagement the supplier service opened from the escalation (via Kafka)."""
        def find() -> str:
            found = self.management.ListEngagements(spb.ListEngagementsRequest(
                inquiry_id=inquiry_id, supplier_id=scenario.supplier_id)).engagements
            return str(found[0].engagement_id) if found else ""
        engagement_id = _wait(find, self.wait_seconds, f"the engagement of {scenario.key}")
        self.counts["engagements"] += 1
        return str(engagement_id)

    def _supplier(self, scenario: SupplierScenario, engagement_id: str, step: SupplierStep,
                  key: str) -> None:
        """The supplier's own call, made with its identity (the proxy's header)."""
        identity = ((IDENTITY_KEY, scenario.supplier_id),)
        meta = spb.RequestMeta(actor=step.actor, occurred_at=_stamp(step.at),
                               correlation_id=scenario.key)
        current = self.portal.GetMyEngagement(spb.GetMyEngagementRequest(
            engagement_id=engagement_id), metadata=identity)
        p = step.params
        if step.action == "acknowledge":
            if current.status != "OPEN":
                return
            self.portal.AcknowledgeEngagement(spb.AcknowledgeEngagementRequest(
                engagement_id=engagement_id, note=p["note"], meta=meta), metadata=identity)
        elif step.action == "note":
            self.portal.AddProgressNote(spb.AddProgressNoteRequest(
                engagement_id=engagement_id, idempotency_key=key, note=p["note"], meta=meta),
                metadata=identity)
        elif current.status == _FINAL[step.action]:
            return
        elif step.action == "resolve":
            self.portal.ResolveEngagement(spb.ResolveEngagementRequest(
                engagement_id=engagement_id, resolution=p["resolution"], meta=meta),
                metadata=identity)
        elif step.action == "hand_back":
            self.portal.HandBackEngagement(spb.HandBackEngagementRequest(
                engagement_id=engagement_id, reason=p["reason"], meta=meta),
                metadata=identity)
        self.counts["supplier_calls"] += 1

    def _outcome_on_inquiry(self, inquiry_id: str) -> None:
        """Intake records the supplier's outcome (and lifts the hold) from the stream."""
        _wait(lambda: any(h.event_type == "InquirySupplierOutcomeRecorded"
                          for h in self._history(inquiry_id)),
              self.wait_seconds, "intake recording the supplier's outcome")

    # ----- results -----

    def report(self, scenarios: list[SupplierScenario], ids: dict[int, str],
               penalty_wait: float) -> None:
        breach = breach_expected(scenarios)
        for scenario in scenarios:
            found = self.management.ListEngagements(spb.ListEngagementsRequest(
                inquiry_id=ids[scenario.index])).engagements
            for e in found:
                gap = f", 契約なし gap: {e.gap_reason}" if e.coverage != "COVERED" else ""
                self.say(f"  {scenario.subject}: {e.supplier_id} {e.status} "
                         f"({e.coverage}{gap}) — {scenario.expectation}")

        def lines_now() -> list[Any]:
            found = self.management.ListEngagements(spb.ListEngagementsRequest(
                inquiry_id=ids[breach.index])).engagements
            return [line for e in found for line in e.penalties]

        def settled() -> list[Any]:
            """The acknowledge stop booked, and nothing changed for a while: catching up on
            the day, the monitor may raise and then withdraw a breach (a resolution it had
            not read yet), and the supplier service books and reverses it."""
            lines = lines_now()
            if not any(ln.target == "ACKNOWLEDGE" and ln.units >= 2 for ln in lines):
                return []
            sleep(2.0)
            return lines if len(lines_now()) == len(lines) else []
        try:
            lines = _wait(settled, penalty_wait, "the supplier breach's penalty")
        except TimeoutError:
            self.say("  違約金 penalty: not accrued yet (is the SLA monitor running? it raises "
                     "the supplier breach, then the supplier service books the penalty)")
            return
        total = sum(line.amount_accrued for line in lines)
        self.counts["penalty_yen"] = total
        self.say(f"  委託先SLA違反 supplier breach: {breach.subject} — 受付確認 acknowledge "
                 f"target missed; 違約金 penalty {total:,} 円 "
                 f"({max(ln.units for ln in lines if ln.target == 'ACKNOWLEDGE')} "
                 f"started hours late, "
                 f"{lines[0].contract_id} {lines[0].month})")


def run_supplier_demo(intake: Any, supplier_address: str, day: date, out: TextIO,
                      penalty_wait: float = 60.0) -> dict[str, int]:
    """Play the supplier scenarios of ``day``; skipped when the supplier service is down."""
    def say(text: str) -> None:
        print(text, file=out, flush=True)

    channel = open_channel(supplier_address)
    try:
        try:
            grpc.channel_ready_future(channel).result(timeout=3.0)
        except grpc.FutureTimeoutError:
            say(f"  注意 note: no supplier service at {supplier_address}; supplier "
                "scenarios skipped")
            return {}
        say(f"委託先 suppliers → {supplier_address}")
        demo = SupplierDemo(intake, spb_grpc.SupplierManagementServiceStub(channel),
                            spb_grpc.SupplierPortalServiceStub(channel), say)
        scenarios = plan_supplier_day(day)
        ids: dict[int, str] = {}
        try:
            demo.register(day)
            for scenario in scenarios:
                ids[scenario.index] = demo.play(scenario)
            demo.report(scenarios, ids, penalty_wait)
        except (grpc.RpcError, TimeoutError) as error:
            detail = error.details() if isinstance(error, grpc.RpcError) else str(error)
            say(f"  エラー error in the supplier scenarios: {detail}")
            demo.counts["supplier_failed"] = 1
        return demo.counts
    finally:
        channel.close()


__all__ = ["MAINTENANCE", "OPERATOR", "SupplierDemo", "SupplierScenario", "SupplierSetup",
           "SupplierStep", "breach_expected", "fiscal_year", "plan_supplier_day",
           "run_supplier_demo", "supplier_setup"]
