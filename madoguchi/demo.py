"""A realistic day of a municipal contact centre (市役所コールセンター), sent through the API.

``plan_day`` is pure and seeded: it turns a date into scenarios (one inquiry, or one
abandoned call, each with its ordered API steps) in Asia/Tokyo business hours, 08:30 to
20:30. ``run_demo`` sends them to the intake service in time order so a newcomer can watch
the read model fill. Creating calls carry idempotency keys derived from (day, seed, size,
scenario index, step); the other commands have no key in the API, so a re-run skips the
steps an inquiry's stored version shows are already there. Running the demo twice for the
same day therefore stores nothing new for that day.

Then the suppliers (``madoguchi.demo_suppliers``): an outsourced operator and a
maintenance vendor with fiscal-year contracts take four escalated inquiries of the same
day through their own portal calls; one acknowledges late, so its supplier SLA breaches
and the contract's penalty accrues. Skipped when no supplier service answers.

Then, live: ``plan_live`` turns the run's start time into three inquiries received *now*
under the ``demo-fast`` agreement (24×7, first response 1 min, resolution 3 min, warnings
at 50 % and 90 %): one stays unanswered (warnings at 30 s and 54 s, breach at 60 s), one
is answered after 15 s and resolved after 40 s (targets met), one is answered and then put
on hold awaiting the customer (its resolution clock pauses). ``run_demo`` sends them, sends
their later steps when they fall due, and meanwhile follows the SLA monitor's
``WatchAlerts`` stream, printing what concerns them until the first breach. Their
idempotency keys carry the run's start time (UTC, to the second), which also is their
``contacted_at``: a retried call within the run stores nothing twice, and each new run adds
three new live inquiries, because they must happen now to show live alerts. (A coarser key,
say the start minute, would make a re-run within the same minute fail with ALREADY_EXISTS,
since the receipt time is part of the request.) Without a reachable SLA monitor the live
inquiries are still sent and the watch is skipped.

    python -m madoguchi.demo --intake 127.0.0.1:50051 --day 2025-06-02
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from time import monotonic
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import grpc
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from madoguchi.api.intake.v1 import intake_pb2, intake_pb2_grpc
from madoguchi.api.sla.v1 import sla_monitor_pb2 as sla_pb2
from madoguchi.watch import (
    AlertStream,
    TeamNames,
    ensure_utf8,
    fit,
    format_item,
    stream_opener,
    watch_stub,
)

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


@dataclass(frozen=True)
class _Topic:
    category: str
    kind: str
    subject: str
    body: str
    department: str
    impact: str
    urgency: str
    faq: str = ""            # FAQ entry that answers it; empty: needs a department
    answer: str = ""         # the FAQ answer given at first contact
    dept_answer: str = ""    # the department's answer
    weight: int = 1
    tier2: bool = False      # complex enough for the tier-2 specialists


_DEPARTMENT_OF = {
    "住民票・戸籍": "市民課",
    "税": "税務課",
    "ごみ・リサイクル": "環境課",
    "子育て": "子育て支援課",
    "道路": "道路管理課",
    "国民健康保険": "保険年金課",
    "福祉": "福祉課",
    "施設予約": "生涯学習課",
}

_DEPARTMENT_SLUG = {
    "市民課": "shimin", "税務課": "zeimu", "環境課": "kankyo", "子育て支援課": "kosodate",
    "道路管理課": "doro", "保険年金課": "hoken", "福祉課": "fukushi",
    "高齢福祉課": "korei", "障害福祉課": "shogai", "生涯学習課": "gakushu",
    "スポーツ振興課": "sports",
}


def _topic(category: str, kind: str, subject: str, body: str, impact: str, urgency: str,
           **extra: Any) -> _Topic:
    department = extra.pop("department", _DEPARTMENT_OF[category])
    return _Topic(category, kind, subject, body, department, impact, urgency, **extra)


TOPICS: tuple[_Topic, ...] = (
    # 住民票・戸籍
    _topic("住民票・戸籍", "QUESTION", "住民票の写しをコンビニで取得できますか",
           "マイナンバーカードを持っています。近くのコンビニで住民票の写しを取りたいのですが、"
           "何時から何時まで利用できますか。手数料も教えてください。", "LOW", "LOW",
           faq="FAQ-JUMIN-001", weight=5,
           answer="マイナンバーカードと暗証番号(数字4桁)があれば、全国の対応コンビニで"
                  "6時30分から23時まで取得できます。手数料は1通200円です。"),
    _topic("住民票・戸籍", "QUESTION", "戸籍謄本を郵送で請求したい",
           "本籍は市内ですが、現在は県外に住んでいます。戸籍謄本を郵送で取り寄せる方法を"
           "教えてください。", "LOW", "MEDIUM", faq="FAQ-JUMIN-004", weight=2,
           answer="請求書、本人確認書類の写し、定額小為替(1通450円)、切手を貼った返信用封筒を"
                  "市民課あてに郵送してください。請求書は市ホームページから印刷できます。"),
    _topic("住民票・戸籍", "QUESTION", "引っ越しの手続きに必要なものを知りたい",
           "来月、市内で転居します。転居届に必要な持ち物と、届出の期限を教えてください。",
           "LOW", "MEDIUM", faq="FAQ-JUMIN-007", weight=3,
           answer="転居した日から14日以内に、本人確認書類と世帯全員分のマイナンバーカード"
                  "(お持ちの方)を持って市民課窓口で届け出てください。"),
    _topic("住民票・戸籍", "REQUEST", "印鑑登録証を紛失しました",
           "印鑑登録証をなくしてしまいました。悪用されないか心配です。どうすればよいですか。",
           "LOW", "HIGH", faq="FAQ-JUMIN-011",
           answer="市民課窓口で亡失の届出をすると登録が廃止されます。本人確認書類をお持ちください。"
                  "再登録する場合は登録する印鑑もお持ちください。",
           dept_answer="市民課で亡失届を受け付け、旧登録を廃止しました。新しい登録証を交付済みです。"),
    _topic("住民票・戸籍", "QUESTION", "マイナンバーカードの受け取り予約について",
           "交付通知書が届きました。受け取りの予約はどこからできますか。土曜日も受け取れますか。",
           "LOW", "LOW", faq="FAQ-JUMIN-015", weight=2,
           answer="交付通知書の二次元コードまたはお電話で予約できます。第2・第4土曜日の午前も"
                  "受け取り可能です。"),
    _topic("住民票・戸籍", "COMPLAINT", "窓口の待ち時間が長すぎる",
           "今日の午前中に市民課の窓口へ行きましたが、1時間以上待たされました。混雑の案内も"
           "なく、改善してほしいです。", "MEDIUM", "LOW",
           dept_answer="市民課長から混雑時の案内不足をお詫びし、呼出状況をWebで確認できる仕組みと"
                       "混雑予想カレンダーをご案内しました。"),
    # 税
    _topic("税", "REQUEST", "固定資産税の納付書を紛失しました",
           "今年度の固定資産税の納付書が見当たりません。再発行してもらえますか。",
           "LOW", "MEDIUM", faq="FAQ-ZEI-002", weight=2,
           answer="税務課で再発行し、登録のご住所へ郵送します。届くまで1週間ほどかかります。"
                  "スマートフォン決済アプリでの納付もご利用いただけます。"),
    _topic("税", "QUESTION", "市県民税をクレジットカードで払えますか",
           "普通徴収の市県民税をクレジットカードで支払うことはできますか。手数料はかかりますか。",
           "LOW", "LOW", faq="FAQ-ZEI-005", weight=2,
           answer="市の納付サイトからクレジットカードで納付できます。納付額に応じた決済手数料が"
                  "かかります。"),
    _topic("税", "QUESTION", "軽自動車税の減免について",
           "障害者手帳を持っている家族の通院に軽自動車を使っています。減免の対象になりますか。",
           "LOW", "MEDIUM", faq="FAQ-ZEI-009", tier2=True,
           answer="身体障害者手帳等をお持ちの方のために使用する軽自動車は、申請により減免を"
                  "受けられる場合があります。納期限までに申請してください。"),
    _topic("税", "QUESTION", "課税証明書の取り方を知りたい",
           "保育園の申請に課税証明書が必要です。コンビニでも取れますか。",
           "LOW", "MEDIUM", faq="FAQ-ZEI-012", weight=2,
           answer="マイナンバーカードがあれば、コンビニで課税(所得)証明書を取得できます。"
                  "1通300円です。"),
    _topic("税", "COMPLAINT", "納付済みなのに督促状が届いた",
           "先月コンビニで納付したのに督促状が届きました。確認もせずに送ってくるのは"
           "おかしいと思います。", "MEDIUM", "MEDIUM",
           dept_answer="税務課で納付記録を確認し、督促状の発送と入金の行き違いであったことを"
                       "説明してお詫びしました。"),
    # ごみ・リサイクル
    _topic("ごみ・リサイクル", "QUESTION", "粗大ごみの収集日を知りたい",
           "ソファを処分したいです。粗大ごみの収集日と申し込み方法を教えてください。",
           "LOW", "LOW", faq="FAQ-GOMI-003", weight=6,
           answer="粗大ごみは事前申込制です。粗大ごみ受付センターかWebで申し込み、処理券を購入して"
                  "収集日の朝8時までに出してください。"),
    _topic("ごみ・リサイクル", "QUESTION", "スプレー缶の出し方",
           "中身が少し残っているスプレー缶はどのように出せばよいですか。穴は開けたほうが"
           "いいですか。", "LOW", "LOW", faq="FAQ-GOMI-008", weight=3,
           answer="中身を使い切り、穴は開けずに「有害ごみ」の日に透明な袋に入れて出してください。"),
    _topic("ごみ・リサイクル", "QUESTION", "年末年始のごみ収集日程",
           "年末年始は燃えるごみをいつまで出せますか。年明けはいつから収集がありますか。",
           "LOW", "LOW", faq="FAQ-GOMI-012", weight=2,
           answer="燃えるごみは12月30日まで、年明けは1月4日から通常どおり収集します。"),
    _topic("ごみ・リサイクル", "REQUEST", "ごみ集積所のカラス被害",
           "{place}のごみ集積所がカラスに荒らされて困っています。防鳥ネットを貸してもらえますか。",
           "LOW", "MEDIUM", faq="FAQ-GOMI-015",
           answer="自治会を通じて防鳥ネットの貸し出しを申請できます。申請書は環境課窓口と"
                  "市ホームページにあります。",
           dept_answer="環境課から自治会長に連絡し、防鳥ネット2枚の貸し出しを手配しました。"),
    _topic("ごみ・リサイクル", "COMPLAINT", "ごみが収集されていません",
           "今朝{place}の集積所に出した燃えるごみが、夕方になっても収集されていません。"
           "近所の家も困っています。", "MEDIUM", "HIGH",
           dept_answer="環境課で収集業者に確認し、収集漏れのため本日中に回収しました。再発防止を"
                       "指導しました。"),
    _topic("ごみ・リサイクル", "INCIDENT", "不法投棄を見つけました",
           "{place}の公園横の空き地に、テレビと冷蔵庫が捨てられています。", "MEDIUM", "MEDIUM",
           dept_answer="環境課で現地を確認し、警告看板を設置しました。回収は来週の予定です。"),
    _topic("ごみ・リサイクル", "QUESTION", "小型家電の回収ボックスの場所",
           "使わなくなった携帯電話を処分したいです。回収ボックスはどこにありますか。",
           "LOW", "LOW", faq="FAQ-GOMI-020",
           answer="市役所本庁舎1階、各支所、市民センターに回収ボックスがあります。"
                  "個人情報は消去してから入れてください。"),
    # 子育て
    _topic("子育て", "QUESTION", "児童手当の申請方法",
           "先月子どもが生まれました。児童手当の申請はいつまでに、何が必要ですか。",
           "MEDIUM", "MEDIUM", faq="FAQ-KOSODATE-001", weight=3,
           answer="出生日の翌日から15日以内に申請してください。請求者名義の口座がわかるものと、"
                  "マイナンバーが確認できるものが必要です。"),
    _topic("子育て", "QUESTION", "保育園の入園申し込み時期",
           "来年4月から保育園に入れたいです。申し込みはいつからですか。", "LOW", "MEDIUM",
           faq="FAQ-KOSODATE-004", weight=2,
           answer="4月入園の一次申込は10月中旬から11月中旬までです。申込書は子育て支援課と"
                  "各保育園で配布しています。"),
    _topic("子育て", "QUESTION", "子ども医療費助成の対象年齢",
           "子ども医療費の助成は何歳まで受けられますか。所得制限はありますか。", "LOW", "LOW",
           faq="FAQ-KOSODATE-007", weight=2,
           answer="18歳になった後の最初の3月31日まで、所得制限なしで助成を受けられます。"),
    _topic("子育て", "REQUEST", "一時預かりの利用について相談したい",
           "家族が入院することになり、数日間子どもを預けたいです。どこに相談すればよいですか。",
           "MEDIUM", "HIGH",
           dept_answer="子育て支援課から空きのある一時預かり施設を紹介し、明日からの利用を"
                       "調整しました。"),
    _topic("子育て", "QUESTION", "乳幼児健診の日程を変更したい",
           "4か月児健診の日に都合が悪くなりました。別の日に受けられますか。", "LOW", "MEDIUM",
           faq="FAQ-KOSODATE-010",
           answer="同じ月の別日程に変更できます。母子健康手帳をお手元にご用意のうえ、"
                  "子育て支援課へご連絡ください。",
           dept_answer="子育て支援課で翌月の健診日へ変更し、案内を郵送しました。"),
    # 道路
    _topic("道路", "INCIDENT", "道路の陥没を見つけました",
           "{place}の市道の交差点付近で道路が陥没しています。直径50センチほどの穴で、"
           "自転車や歩行者が危ないです。", "HIGH", "HIGH", weight=2,
           dept_answer="道路管理課で現地を確認し、カラーコーンを設置して応急補修を実施しました。"
                       "本復旧は後日行います。"),
    _topic("道路", "INCIDENT", "街路灯が消えています",
           "{place}のバス停近くの街路灯が数日前から点灯していません。夜道が暗くて不安です。",
           "MEDIUM", "MEDIUM", weight=2,
           dept_answer="道路管理課から委託業者に修理を依頼し、本日夕方に交換を完了しました。"),
    _topic("道路", "INCIDENT", "カーブミラーが曲がっている",
           "{place}の交差点のカーブミラーが、車がぶつかったのか向きが変わっていて見えません。",
           "MEDIUM", "HIGH",
           dept_answer="道路管理課で現地を確認し、ミラーの向きを応急的に直しました。"),
    _topic("道路", "REQUEST", "街路樹の枝を切ってほしい",
           "{place}の歩道の街路樹の枝が伸びて、通学路の見通しが悪くなっています。"
           "剪定をお願いします。", "LOW", "MEDIUM",
           dept_answer="道路管理課で現地を確認し、来週の剪定作業の予定に加えました。"),
    _topic("道路", "QUESTION", "道路占用許可の申請方法",
           "店舗の改装工事で、歩道に足場を設置したいです。道路占用許可はどこで申請しますか。",
           "LOW", "MEDIUM", faq="FAQ-DORO-002",
           answer="道路管理課で申請できます。工事の10日前までに、申請書と位置図・平面図を"
                  "提出してください。警察署への道路使用許可の申請も必要です。"),
    # 国民健康保険
    _topic("国民健康保険", "QUESTION", "退職したので国民健康保険に加入したい",
           "先月末で会社を退職しました。国民健康保険の加入手続きを教えてください。",
           "MEDIUM", "MEDIUM", faq="FAQ-KOKUHO-001", weight=3,
           answer="退職日の翌日から14日以内に、健康保険の資格喪失証明書と本人確認書類を"
                  "お持ちのうえ保険年金課で手続きしてください。"),
    _topic("国民健康保険", "QUESTION", "保険料の減免を受けられますか",
           "失業して収入が大きく減りました。国民健康保険料の減免や猶予はありますか。",
           "MEDIUM", "MEDIUM", faq="FAQ-KOKUHO-006", tier2=True,
           answer="会社の都合などで離職された方は、申請により保険料が軽減されます。"
                  "雇用保険受給資格者証をお持ちのうえ申請してください。"),
    _topic("国民健康保険", "QUESTION", "マイナ保険証を持っていない場合",
           "マイナ保険証を登録していません。病院にかかるときはどうすればよいですか。",
           "LOW", "MEDIUM", faq="FAQ-KOKUHO-010", weight=2,
           answer="マイナ保険証をお持ちでない方には資格確認書をお送りしています。"
                  "受診の際は資格確認書を窓口に提示してください。"),
    _topic("国民健康保険", "QUESTION", "高額療養費の払い戻し手続き",
           "入院して医療費が高額になりました。払い戻しを受けられると聞きましたが、"
           "手続きを教えてください。", "MEDIUM", "MEDIUM", faq="FAQ-KOKUHO-013", tier2=True,
           answer="診療月の2か月後以降に申請書をお送りします。領収書と振込先口座がわかるものを"
                  "添えて申請してください。"),
    # 福祉
    _topic("福祉", "QUESTION", "介護保険の要介護認定を申請したい",
           "一人暮らしの母の物忘れがひどくなってきました。介護保険のサービスを使うには"
           "どうすればよいですか。", "MEDIUM", "MEDIUM", department="高齢福祉課",
           faq="FAQ-FUKUSHI-002", weight=2, tier2=True,
           answer="高齢福祉課または地域包括支援センターで要介護認定を申請してください。"
                  "ご家族による代理申請もできます。"),
    _topic("福祉", "REQUEST", "高齢の親の見守りについて相談したい",
           "{place}に住む父が一人暮らしで、最近電話に出ないことがあります。見守りの"
           "サービスはありますか。", "MEDIUM", "HIGH", department="高齢福祉課",
           dept_answer="高齢福祉課から地域包括支援センターに連絡し、本日訪問して安否を確認しました。"
                       "見守りサービスの申請書を送付します。"),
    _topic("福祉", "QUESTION", "障害者手帳の更新手続き",
           "精神障害者保健福祉手帳の有効期限が近づいています。更新に必要な書類を教えてください。",
           "LOW", "MEDIUM", department="障害福祉課", faq="FAQ-FUKUSHI-007",
           answer="有効期限の3か月前から更新の申請ができます。診断書(または年金証書の写し)と"
                  "写真1枚、現在の手帳をお持ちください。"),
    _topic("福祉", "REQUEST", "生活が苦しく相談したい",
           "仕事が見つからず、家賃の支払いが苦しくなっています。どこに相談すればよいですか。",
           "MEDIUM", "HIGH",
           dept_answer="福祉課の生活支援相談員が面談の予約を取り、住居確保給付金の制度を"
                       "ご案内しました。"),
    # 施設予約
    _topic("施設予約", "QUESTION", "公民館の会議室を予約したい",
           "サークル活動で公民館の会議室を毎月使いたいです。予約方法と料金を教えてください。",
           "LOW", "LOW", faq="FAQ-SHISETSU-001", weight=2,
           answer="公共施設予約システムに団体登録をすると、利用日の3か月前から予約できます。"
                  "料金は部屋の広さにより1時間300円から600円です。"),
    _topic("施設予約", "QUESTION", "体育館の予約をキャンセルしたい",
           "来週土曜日に予約している市民体育館を取り消したいです。キャンセル料はかかりますか。",
           "LOW", "MEDIUM", department="スポーツ振興課", faq="FAQ-SHISETSU-005",
           answer="利用日の7日前までは予約システムから無料で取り消せます。それ以降は使用料の"
                  "半額がかかります。"),
    _topic("施設予約", "QUESTION", "施設予約システムのパスワードを忘れた",
           "公共施設予約システムにログインできません。パスワードの再設定方法を教えてください。",
           "LOW", "MEDIUM", faq="FAQ-SHISETSU-009", weight=2,
           answer="ログイン画面の「パスワードを忘れた方」から、登録メールアドレスあてに"
                  "再設定の案内を送れます。"),
    _topic("施設予約", "COMPLAINT", "テニスコートの抽選に毎回外れる",
           "市営テニスコートの抽選に半年間ずっと外れています。同じ団体ばかり使っているように"
           "見えます。抽選の方法を見直してください。", "LOW", "LOW", department="スポーツ振興課",
           dept_answer="スポーツ振興課から抽選の仕組みと当選状況を説明し、いただいたご意見を"
                       "来年度の運用見直しで検討することをお伝えしました。"),
)

_SURNAMES = (
    ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"),
    ("伊藤", "ito"), ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"),
    ("小林", "kobayashi"), ("加藤", "kato"), ("吉田", "yoshida"), ("山田", "yamada"),
    ("佐々木", "sasaki"), ("山口", "yamaguchi"), ("松本", "matsumoto"), ("井上", "inoue"),
    ("木村", "kimura"), ("林", "hayashi"), ("斎藤", "saito"), ("清水", "shimizu"),
)
_GIVEN_NAMES = (
    ("陽子", "yoko"), ("健一", "kenichi"), ("美咲", "misaki"), ("翔太", "shota"),
    ("由美子", "yumiko"), ("大輔", "daisuke"), ("恵子", "keiko"), ("拓也", "takuya"),
    ("真由美", "mayumi"), ("誠", "makoto"), ("さくら", "sakura"), ("浩二", "koji"),
    ("直樹", "naoki"), ("久美子", "kumiko"), ("悠斗", "yuto"), ("明美", "akemi"),
)
_MAIL_DOMAINS = ("example.com", "example.net", "example.org")
_TOWNS = ("桜町", "緑が丘", "旭町", "本町", "東町", "若葉台", "南台", "中央")
_CHOME = ("一", "二", "三", "四", "五")

_CHANNEL_SHARE = (
    ("PHONE", PHONE_SHARE), ("EMAIL", 0.17), ("WEB_FORM", 0.14), ("CHAT", 0.11),
    ("WALK_IN", 0.07), ("FAX", 0.03), ("LETTER", 0.03),
)
_OFFICE_HOURS_CHANNELS = frozenset({"WALK_IN", "FAX", "LETTER"})
_WRITTEN_CHANNELS = frozenset({"EMAIL", "WEB_FORM", "FAX", "LETTER"})
# Relative load per clock hour (Tokyo): the morning and early-afternoon peaks.
_HOURLY_LOAD = {8: 9, 9: 14, 10: 13, 11: 11, 12: 7, 13: 11, 14: 10, 15: 9, 16: 8,
                17: 6, 18: 4, 19: 3, 20: 2}

_HAPPY_COMMENTS = (
    "丁寧に教えていただき助かりました。", "すぐに回答がもらえて安心しました。",
    "説明がわかりやすかったです。", "対応が早くて助かりました。",
    "親切に対応していただきありがとうございました。",
)
_MIXED_COMMENTS = (
    "回答はわかりましたが、電話がつながるまで時間がかかりました。",
    "ホームページにもっとわかりやすく載せてほしいです。",
    "何度か説明が必要でしたが、最後は解決しました。",
)
_UNHAPPY_COMMENTS = (
    "対応はしてもらえたが、最初の説明には納得できない。",
    "同じことを何度も説明しなければならなかった。",
    "今後改善されるか様子を見ます。",
)


# --------------------------------------------------------------------------------------
# Planning (pure)
# --------------------------------------------------------------------------------------


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
        channels = _quotas(len(outcomes), _CHANNEL_SHARE)
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

    def _forced_topics(self, outcomes: list[Outcome]) -> dict[int, _Topic]:
        """Make sure the day has a complaint and a road cave-in among the escalations."""
        wanted = [
            [t for t in TOPICS if t.kind == "COMPLAINT"],
            [t for t in TOPICS if t.subject == "道路の陥没を見つけました"],
        ]
        positions = [i for i, o in enumerate(outcomes) if o == Outcome.DEPARTMENT]
        return {i: self.rng.choice(pool) for i, pool in zip(positions, wanted, strict=False)}

    def _pick_topic(self, outcome: Outcome) -> _Topic:
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
        surname, surname_romaji = rng.choice(_SURNAMES)
        given, given_romaji = rng.choice(_GIVEN_NAMES)
        wants_phone = {"PHONE": 1.0, "FAX": 1.0, "WALK_IN": 0.7, "WEB_FORM": 0.6,
                       "LETTER": 0.5, "EMAIL": 0.4, "CHAT": 0.2}[channel]
        wants_mail = {"EMAIL": 1.0, "WEB_FORM": 1.0, "CHAT": 0.5, "PHONE": 0.2}.get(channel, 0.1)
        phone = email = ""
        if rng.random() < wants_phone:
            phone = f"{rng.choice(('090', '080', '070'))}-{rng.randint(0, 9999):04d}-" \
                    f"{rng.randint(0, 9999):04d}"
        if rng.random() < wants_mail:
            email = f"{given_romaji}.{surname_romaji}{rng.randint(1, 99)}@" \
                    f"{rng.choice(_MAIL_DOMAINS)}"
        return Caller(name=f"{surname} {given}", phone=phone, email=email)

    def _place(self) -> str:
        return f"{self.rng.choice(_TOWNS)}{self.rng.choice(_CHOME)}丁目"

    def _agent(self) -> str:
        return f"cc-op-{self.rng.randint(1, 14):02d}"

    def _staff(self, department: str) -> str:
        return f"dept-{_DEPARTMENT_SLUG.get(department, 'staff')}-{self.rng.randint(1, 4):02d}"

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
        for hour, load in _HOURLY_LOAD.items():
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

    def _inquiry(self, number: int, outcome: Outcome, channel: str, topic: _Topic) -> Scenario:
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
        late_message = outcome == Outcome.OPEN and channel in _WRITTEN_CHANNELS \
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

        latest = self.office_end if channel in _OFFICE_HOURS_CHANNELS else self.window
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

    def _satisfaction(self, topic: _Topic) -> tuple[int, str]:
        rng = self.rng
        if topic.kind == "COMPLAINT":
            score = rng.choices(range(0, 8), weights=[1, 2, 3, 4, 4, 3, 2, 1])[0]
        else:
            score = rng.choices(range(3, 11), weights=[1, 1, 2, 4, 10, 20, 24, 22])[0]
        pool = _HAPPY_COMMENTS if score >= 8 else _MIXED_COMMENTS if score >= 5 \
            else _UNHAPPY_COMMENTS
        return score, rng.choice(pool)


def _steps(placed: list[tuple[datetime, Action, str, dict[str, Any]]]) -> tuple[Step, ...]:
    """Steps without keys yet (``_Planner._renumber`` adds them)."""
    return tuple(Step(action, at, "", actor, dict(params)) for at, action, actor, params in placed)


def _numbered(params: dict[str, Any], index: int) -> dict[str, Any]:
    """Params with the scenario number filled into a call id."""
    if "call_id" not in params:
        return dict(params)
    return {**params, "call_id": params["call_id"].replace("#", f"{index:04d}")}


def _escalation_reason(topic: _Topic) -> str:
    if topic.kind == "INCIDENT":
        return f"現地確認と補修・撤去の手配が必要なため{topic.department}へ引き継ぎ"
    if topic.kind == "COMPLAINT":
        return f"苦情のため、{topic.department}で事実を確認のうえ回答する"
    return f"個別の事情の確認が必要なため{topic.department}へ引き継ぎ"


def _hold_note(topic: _Topic) -> str:
    if topic.kind == "INCIDENT":
        return "正確な場所がわかる写真の送付をご本人に依頼"
    if topic.kind == "COMPLAINT":
        return "事実確認のため、日時や状況の詳細をご本人に確認中"
    return "必要書類(本人確認書類の写し)の提出をご本人に依頼"


def _reply_note(topic: _Topic) -> str:
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
    plans: list[tuple[Outcome, str, _Topic, Caller, list[tuple[int, Action, str,
                                                                 dict[str, Any]]]]] = [
        (Outcome.LIVE_BREACH, "EMAIL",
         _Topic("住民票・戸籍", "REQUEST", "住民票の写しを至急郵送してほしい",
                "明日の午前中に勤務先へ提出する必要があります。住民票の写しを今日中に発送して"
                "いただけますか。本人確認書類はメールで送れます。", "市民課", "MEDIUM", "HIGH"),
         Caller("小林 さくら", email="sakura.kobayashi12@example.com"),
         # Answered late, after the breach: the monitor resolves the alert as ANSWERED,
         # so a demo leaves no alert reminding on-call staff for ever.
         [(75, Action.RECORD_FIRST_RESPONSE, "cc-op-02", {"channel": "EMAIL"})]),
        (Outcome.LIVE_MET, "CHAT",
         _Topic("ごみ・リサイクル", "QUESTION", "粗大ごみの収集日を知りたい",
                "本棚を処分したいです。粗大ごみの収集日と申し込み方法を教えてください。",
                "環境課", "LOW", "MEDIUM"),
         Caller("井上 健一", email="kenichi.inoue7@example.net"),
         [(15, Action.RECORD_FIRST_RESPONSE, "cc-op-03", {"channel": "CHAT"}),
          (40, Action.RESOLVE, "cc-op-03", {
              "resolution_code": "ANSWERED_FAQ", "faq_entry_id": "FAQ-GOMI-003",
              "resolution_text": "粗大ごみは事前申込制です。粗大ごみ受付センターかWebで申し込み、"
                                 "処理券を購入して収集日の朝8時までに出してください。"})]),
        (Outcome.LIVE_ON_HOLD, "WEB_FORM",
         _Topic("道路", "REQUEST", "街路樹の枝を切ってほしい",
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


def _timestamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


def build_request(scenario: Scenario, step: Step, inquiry_id: str = "") -> Message:
    """The gRPC request of one step; ``inquiry_id`` is the id ReceiveInquiry returned."""
    p = step.params
    if step.action == Action.RECEIVE_INQUIRY:
        caller = scenario.caller or Caller(name="")
        return intake_pb2.ReceiveInquiryRequest(
            idempotency_key=step.key, channel=intake_pb2.Channel.Value(scenario.channel),
            kind=intake_pb2.InquiryKind.Value(scenario.kind),
            contact=intake_pb2.Contact(name=caller.name, phone=caller.phone,
                                       email=caller.email, preferred_language="ja"),
            subject=scenario.subject, body=scenario.body, category=scenario.category,
            department=scenario.department, impact=intake_pb2.Level.Value(scenario.impact),
            urgency=intake_pb2.Level.Value(scenario.urgency),
            agreement_id=scenario.agreement_id, contacted_at=_timestamp(step.at),
            external_ref=scenario.external_ref, actor=step.actor,
            correlation_id=scenario.correlation_id,
        )
    if step.action == Action.RECORD_CONTACT_ATTEMPT:
        return intake_pb2.RecordContactAttemptRequest(
            idempotency_key=step.key, outcome=intake_pb2.AttemptOutcome.Value(p["outcome"]),
            queue=p["queue"], wait_seconds=p["wait_seconds"], attempted_at=_timestamp(step.at),
            inquiry_id=inquiry_id if p.get("link") else "", call_id=p["call_id"],
            correlation_id=scenario.correlation_id,
        )
    context = intake_pb2.CommandContext(
        inquiry_id=inquiry_id, expected_version=0, actor=step.actor,
        occurred_at=_timestamp(step.at), correlation_id=scenario.correlation_id,
    )
    match step.action:
        case Action.LOG_CONTACT:
            return intake_pb2.LogContactRequest(
                context=context, idempotency_key=step.key,
                channel=intake_pb2.Channel.Value(p["channel"]), direction=p["direction"],
                note=p["note"])
        case Action.RECORD_FIRST_RESPONSE:
            return intake_pb2.RecordFirstResponseRequest(
                context=context, channel=intake_pb2.Channel.Value(p["channel"]))
        case Action.ASSIGN:
            return intake_pb2.AssignInquiryRequest(context=context, team=p["team"],
                                                   assignee=p["assignee"])
        case Action.ESCALATE:
            return intake_pb2.EscalateInquiryRequest(
                context=context, target=intake_pb2.EscalationTarget.Value(p["target"]),
                to_tier=p.get("to_tier", 0), to_department=p.get("to_department", ""),
                reason=p["reason"])
        case Action.PUT_ON_HOLD:
            return intake_pb2.PutOnHoldRequest(
                context=context, reason=intake_pb2.HoldReason.Value(p["reason"]), note=p["note"])
        case Action.RESUME:
            return intake_pb2.ResumeInquiryRequest(context=context, note=p["note"])
        case Action.RESOLVE:
            return intake_pb2.ResolveInquiryRequest(
                context=context, resolution_code=p["resolution_code"],
                resolution_text=p["resolution_text"], faq_entry_id=p.get("faq_entry_id", ""))
        case Action.REOPEN:
            return intake_pb2.ReopenInquiryRequest(context=context, reason=p["reason"])
        case Action.CLOSE:
            return intake_pb2.CloseInquiryRequest(context=context)
        case Action.RECORD_SATISFACTION:
            return intake_pb2.RecordSatisfactionRequest(context=context, score=p["score"],
                                                        comment=p["comment"])
    raise ValueError(f"unknown action {step.action}")


def inquiry_versions(scenario: Scenario) -> list[int | None]:
    """Per step, the inquiry's version once the step is stored (None: not an inquiry event)."""
    versions: list[int | None] = []
    version = 0
    for step in scenario.steps:
        if step.action == Action.RECORD_CONTACT_ATTEMPT:
            versions.append(None)
        else:
            version += 1
            versions.append(version)
    return versions


# --------------------------------------------------------------------------------------
# Sending
# --------------------------------------------------------------------------------------

_OPEN_STATUSES = frozenset({
    intake_pb2.RECEIVED, intake_pb2.RESPONDED, intake_pb2.ASSIGNED, intake_pb2.ESCALATED,
    intake_pb2.ON_HOLD,
})
_RESOLVED_STATUSES = frozenset({intake_pb2.RESOLVED, intake_pb2.CLOSED})


@dataclass
class _State:
    """What the runner knows about one scenario's inquiry."""

    inquiry_id: str = ""
    stored_version: int = 0           # the version found when ReceiveInquiry was replayed
    inquiry: Any = None               # the latest intake_pb2.Inquiry seen
    error: str = ""


class _Runner:
    """Sends the scenarios' steps in time order; each inquiry's steps stay in order."""

    def __init__(self, stub: intake_pb2_grpc.IntakeServiceStub, scenarios: list[Scenario],
                 out: TextIO) -> None:
        self.stub = stub
        self.scenarios = scenarios
        self.out = out
        self.states = [_State() for _ in scenarios]
        self.versions = [inquiry_versions(s) for s in scenarios]
        self.lock = threading.Lock()
        self.counts = {"calls": 0, "stored": 0, "replayed": 0, "failed": 0}
        self.hour: dict[str, int] = {}
        self.errors: list[str] = []

    def _count(self, name: str, bucket: dict[str, int] | None = None) -> None:
        with self.lock:
            target = self.counts if bucket is None else bucket
            target[name] = target.get(name, 0) + 1

    def run(self) -> dict[str, int]:
        order = sorted(
            ((step.at, s.index, n) for s in self.scenarios for n, step in enumerate(s.steps)),
        )
        previous: dict[int, Future[None]] = {}
        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="demo") as pool:
            position = 0
            while position < len(order):
                hour = order[position][0].astimezone(TOKYO).hour
                batch: list[Future[None]] = []
                self.hour = {}
                while position < len(order) and \
                        order[position][0].astimezone(TOKYO).hour == hour:
                    _, index, n = order[position]
                    future = pool.submit(self._run_step, index, n, previous.get(index))
                    previous[index] = future
                    batch.append(future)
                    position += 1
                wait(batch)
                for future in batch:   # a bug in the demo itself: do not hide it
                    if future.exception() is not None:
                        raise future.exception()  # type: ignore[misc]
                self._print_hour(hour)
        return self._summary()

    def _run_step(self, index: int, n: int, before: Future[None] | None) -> None:
        # The pool takes tasks in submission order, so ``before`` is running or done.
        if before is not None:
            before.result()
        scenario, state = self.scenarios[index], self.states[index]
        step = scenario.steps[n]
        if state.error:
            return
        version = self.versions[index][n]
        if version is not None and version <= state.stored_version:
            self._count("replayed")   # stored by an earlier run: the inquiry's version says so
            self._count(step.action)
            self._count(step.action, self.hour)
            return
        request = build_request(scenario, step, state.inquiry_id)
        method: Callable[..., Any] = getattr(self.stub, step.action.value)
        try:
            reply = method(request, timeout=RPC_TIMEOUT_SECONDS)
        except grpc.RpcError as error:
            code = error.code() if isinstance(error, grpc.Call) else None
            details = error.details() if isinstance(error, grpc.Call) else str(error)
            state.error = f"#{index} {step.action.value} ({step.key}): {code} {details}"
            with self.lock:
                self.counts["failed"] += 1
                self.errors.append(state.error)
            return
        self._count("calls")
        self._count("replayed" if reply.replayed else "stored")
        self._count(step.action)
        self._count(step.action, self.hour)
        if step.action == Action.RECEIVE_INQUIRY:
            state.inquiry_id = reply.inquiry.inquiry_id
            if reply.replayed:
                state.stored_version = reply.inquiry.version
        if step.action != Action.RECORD_CONTACT_ATTEMPT:
            state.inquiry = reply.inquiry

    def _print_hour(self, hour: int) -> None:
        h = self.hour
        print(f"  {hour:02d}時台  受付 received {h.get(Action.RECEIVE_INQUIRY, 0):3d}  "
              f"解決 resolved {h.get(Action.RESOLVE, 0):3d}  "
              f"エスカレーション escalated {h.get(Action.ESCALATE, 0):2d}  "
              f"通話記録 call records {h.get(Action.RECORD_CONTACT_ATTEMPT, 0):3d}",
              file=self.out, flush=True)

    def _summary(self) -> dict[str, int]:
        inquiries = [st.inquiry for st in self.states if st.inquiry is not None]
        return {
            "inquiries": len(inquiries),
            "attempts": self.counts.get(Action.RECORD_CONTACT_ATTEMPT, 0),
            "abandoned": sum(1 for s in self.scenarios if not s.creates_inquiry),
            "resolved": sum(1 for i in inquiries if i.status in _RESOLVED_STATUSES),
            "closed": sum(1 for i in inquiries if i.status == intake_pb2.CLOSED),
            "escalated": sum(1 for i in inquiries if i.escalation_count > 0),
            "open": sum(1 for i in inquiries if i.status in _OPEN_STATUSES),
            "calls": self.counts["calls"],
            "stored": self.counts["stored"],
            "replayed": self.counts["replayed"],
            "failed": self.counts["failed"],
        }


# --------------------------------------------------------------------------------------
# Live: send now, watch the SLA monitor
# --------------------------------------------------------------------------------------


def _rpc_error(error: grpc.RpcError) -> str:
    if isinstance(error, grpc.Call):
        code = error.code()
        return f"{code.name if code else 'error'} {error.details() or ''}".strip()
    return str(error)


def _describe(step: Step) -> str:
    p = step.params
    match step.action:
        case Action.RECEIVE_INQUIRY:
            return "受付 received"
        case Action.RECORD_FIRST_RESPONSE:
            return f"初回応答 first response ({p['channel']})"
        case Action.RESOLVE:
            return f"解決 resolved ({p['resolution_code']})"
        case Action.PUT_ON_HOLD:
            return f"保留 on hold {p['reason']}: {p['note']}"
    return step.action.value


class _LiveSender:
    """Sends the live scenarios: the receipts at once, later steps when they fall due."""

    def __init__(self, stub: intake_pb2_grpc.IntakeServiceStub, scenarios: list[Scenario],
                 say: Callable[[str], None]) -> None:
        self.stub = stub
        self.scenarios = scenarios
        self.say = say
        self.states = [_State() for _ in scenarios]
        self.versions = [inquiry_versions(s) for s in scenarios]
        self.counts = {"stored": 0, "replayed": 0, "failed": 0}
        self.errors: list[str] = []
        self.stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _send(self, index: int, n: int) -> bool:
        scenario, state, step = self.scenarios[index], self.states[index], \
            self.scenarios[index].steps[n]
        if state.error:
            return False
        version = self.versions[index][n]
        if version is not None and version <= state.stored_version:
            self.counts["replayed"] += 1     # stored by an earlier try of this run
            return True
        method: Callable[..., Any] = getattr(self.stub, step.action.value)
        try:
            reply = method(build_request(scenario, step, state.inquiry_id),
                           timeout=RPC_TIMEOUT_SECONDS)
        except grpc.RpcError as error:
            state.error = f"{LIVE_LABELS[scenario.outcome]} {step.action.value} " \
                          f"({step.key}): {_rpc_error(error)}"
            self.counts["failed"] += 1
            self.errors.append(state.error)
            self.say(f"  エラー error: {state.error}")
            return False
        self.counts["replayed" if reply.replayed else "stored"] += 1
        if step.action == Action.RECEIVE_INQUIRY:
            state.inquiry_id = reply.inquiry.inquiry_id
            if reply.replayed:
                state.stored_version = reply.inquiry.version
        state.inquiry = reply.inquiry
        return True

    def receive_all(self) -> dict[str, str]:
        """Send every receipt now; return inquiry id → the scenario's letter (A, B, C)."""
        ids: dict[str, str] = {}
        for index, scenario in enumerate(self.scenarios):
            if not self._send(index, 0):
                continue
            state = self.states[index]
            ids[state.inquiry_id] = LIVE_LABELS[scenario.outcome][0]
            priority = intake_pb2.Priority.Name(state.inquiry.priority)
            self.say(f"  {fit(LIVE_LABELS[scenario.outcome], 20)} {scenario.channel:<8} "
                     f"{priority} {scenario.subject}  inquiry {state.inquiry_id[:8]}…\n"
                     f"  {'':<20} → {live_expectation(scenario)}")
        return ids

    def start(self) -> None:
        self._thread = threading.Thread(target=self._follow_ups, name="demo-live",
                                        daemon=True)
        self._thread.start()

    def _follow_ups(self) -> None:
        order = sorted((step.at, index, n) for index, scenario in enumerate(self.scenarios)
                       for n, step in enumerate(scenario.steps) if n > 0)
        for at, index, n in order:
            delay = (at - datetime.now(UTC)).total_seconds()
            if delay > 0 and self.stop.wait(delay):
                return
            if self._send(index, n):
                scenario = self.scenarios[index]
                self.say(f"  {at.astimezone(TOKYO):%H:%M:%S} {LIVE_LABELS[scenario.outcome]}: "
                         f"{_describe(scenario.steps[n])}")

    def pending(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()


def _monitor_problem(address: str) -> str:
    """Why the live watch cannot run against the SLA monitor at ``address`` ("" if it can)."""
    channel = grpc.insecure_channel(address)
    try:
        try:
            grpc.channel_ready_future(channel).result(timeout=MONITOR_READY_SECONDS)
        except grpc.FutureTimeoutError:
            return f"no SLA monitor answers at {address}"
        try:
            agreement = watch_stub(channel).GetAgreement(
                sla_pb2.GetAgreementRequest(agreement_id=LIVE_AGREEMENT),
                timeout=RPC_TIMEOUT_SECONDS)
        except grpc.RpcError as error:
            if isinstance(error, grpc.Call) and error.code() == grpc.StatusCode.NOT_FOUND:
                return (f"the SLA monitor at {address} has no agreement {LIVE_AGREEMENT} (it "
                        "is seeded on the embedded default); the live inquiries are measured "
                        "under the default agreement, which does not breach within minutes")
            return f"the SLA monitor at {address} did not answer: {_rpc_error(error)}"
        if agreement.retired:
            return f"agreement {LIVE_AGREEMENT} is retired on the SLA monitor at {address}"
        return ""
    finally:
        channel.close()


@dataclass
class _WatchResult:
    breach_after: float | None = None       # seconds from the receipts to the first breach
    historical: Counter[str] = field(default_factory=Counter)
    reconnects: int = 0


def _watch_live(address: str, live_ids: dict[str, str], received_at: datetime,
                seconds: float, say: Callable[[str], None]) -> _WatchResult:
    """Print the feed items of the live inquiries until the first breach or ``seconds``."""
    result = _WatchResult()
    channel = grpc.insecure_channel(address)
    stub = watch_stub(channel)
    names = TeamNames(stub)
    names.refresh()

    def on_retry(reason: str, delay: float, position: int) -> None:
        say(f"  監視 watch: {reason}; reconnecting in {delay:.1f} s"
            + (f", resuming after position {position}" if position else ""))

    stream = AlertStream(stream_opener(stub, include_stops=True),
                         deadline=monotonic() + seconds, on_retry=on_retry)
    try:
        for item in stream:
            letter = live_ids.get(item.inquiry_id)
            if letter is None:
                if item.kind in ("WARNING", "BREACH"):
                    result.historical[item.kind] += 1
                continue
            say(f"  ▶ {letter} {format_item(item, names.lookup(item.team))}")
            if item.kind == "BREACH":
                result.breach_after = (datetime.now(UTC) - received_at).total_seconds()
                break
    except grpc.RpcError as error:
        say(f"  監視 watch stopped: {_rpc_error(error)}")
    finally:
        result.reconnects = stream.reconnects
        stream.close()
        channel.close()
    return result


def _hold_clock(address: str, inquiry_id: str, timeout: float = 5.0) -> str:
    """The on-hold inquiry's resolution clock as the monitor reports it ("" if unknown)."""
    with grpc.insecure_channel(address) as channel:
        stub = watch_stub(channel)
        until = monotonic() + timeout
        clocks = None
        while True:
            try:
                clocks = stub.GetInquiryClocks(
                    sla_pb2.GetInquiryClocksRequest(inquiry_id=inquiry_id),
                    timeout=RPC_TIMEOUT_SECONDS)
            except grpc.RpcError:
                clocks = None
            if (clocks is not None and clocks.hold_reason) or monotonic() >= until:
                break
            threading.Event().wait(0.5)    # the monitor may still be applying the hold
    if clocks is None:
        return ""
    for clock in clocks.clocks:
        if clock.target == "RESOLUTION" and clock.state != "STOPPED":
            return (f"解決 resolution clock {clock.state} at {clock.elapsed_seconds:.0f} s of "
                    f"{clock.target_seconds} s ({clocks.hold_reason or 'not on hold yet'})")
    return ""


def run_live(stub: intake_pb2_grpc.IntakeServiceStub, sla_monitor_address: str, *,
             watch: bool = True, watch_seconds: float = WATCH_SECONDS,
             out: TextIO = sys.stdout, now: datetime | None = None) -> dict[str, int]:
    """Send the live inquiries, watch the monitor for their alerts; return counts."""
    lock = threading.Lock()

    def say(text: str) -> None:
        with lock:
            print(text, file=out, flush=True)

    start = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    scenarios = plan_live(start)
    say(f"ライブ live: {len(scenarios)} 件 inquiries now under agreement {LIVE_AGREEMENT} "
        f"(初回応答 first response {LIVE_FIRST_RESPONSE_SECONDS // 60} min, 解決 resolution "
        f"{LIVE_RESOLUTION_SECONDS // 60} min, 警告 warnings at "
        f"{' and '.join(f'{p} %' for p in LIVE_WARNING_PERCENTS)})\n"
        f"  keys {live_prefix(start)}-*: the run's start time, so a retry within this run "
        "stores nothing twice; every run adds its own live inquiries")
    problem = _monitor_problem(sla_monitor_address) if watch else ""
    sender = _LiveSender(stub, scenarios, say)
    counts = {"live_inquiries": 0, "live_stored": 0, "live_replayed": 0, "live_failed": 0,
              "live_breach": 0, "historical_alerts": 0}
    result = _WatchResult()
    try:
        live_ids = sender.receive_all()
        counts["live_inquiries"] = len(live_ids)
        sender.start()
        if not watch:
            say("  監視 watch skipped (--no-watch); sending the remaining live steps (about "
                "40 s). Follow the alerts with: madoguchi watch --until-breach")
        elif problem:
            say(f"  注意 note: {problem}. Skipping the watch; the live inquiries are in "
                "intake and the monitor measures them once it runs (madoguchi watch).")
        elif live_ids:
            say(f"監視 watching the SLA monitor at {sla_monitor_address} for their alerts, "
                f"until the first breach (at most {watch_seconds:g} s; --no-watch skips "
                "this) …")
            result = _watch_live(sla_monitor_address, live_ids, start, watch_seconds, say)
        if sender.pending():
            say("  … sending the remaining live steps")
        sender.join()
    except KeyboardInterrupt:
        sender.stop.set()
        say("  中断 interrupted: the remaining live steps were not sent")
        return {**counts, **{f"live_{k}": v for k, v in sender.counts.items()}}
    counts.update({f"live_{k}": v for k, v in sender.counts.items()})
    counts["historical_alerts"] = sum(result.historical.values())
    if result.breach_after is not None:
        counts["live_breach"] = 1
        say(f"  違反 breach {result.breach_after:.0f} s after receipt: the on-call team is "
            "alerted; its alert reminds every minute and escalates until acknowledged or "
            "answered. Follow it with: madoguchi watch")
    elif watch and not problem and live_ids:
        say(f"  監視 no breach within {watch_seconds:g} s (is the SLA monitor consuming the "
            "inquiry events? madoguchi status)")
    if result.historical:
        say(f"  過去分 historical: {result.historical['BREACH']} breaches and "
            f"{result.historical['WARNING']} warnings of earlier inquiries arrived during "
            "the watch (raised at once as the monitor caught up; not listed here)")
    on_hold = next((sender.states[s.index] for s in scenarios
                    if s.outcome == Outcome.LIVE_ON_HOLD), None)
    if watch and not problem and on_hold is not None and on_hold.inquiry_id:
        clock = _hold_clock(sla_monitor_address, on_hold.inquiry_id)
        if clock:
            say(f"  {LIVE_LABELS[Outcome.LIVE_ON_HOLD]}: {clock}")
    return counts


def run_demo(intake_address: str, *, day: date | None = None, seed: int = 7, size: int = 120,
             out: TextIO = sys.stdout, live: bool = True, watch: bool = True,
             watch_seconds: float = WATCH_SECONDS,
             sla_monitor_address: str | None = None,
             supplier_address: str | None = None, suppliers: bool = True) -> dict[str, int]:
    """Send a planned day to the intake service, then the live inquiries; return counts.

    The default day is yesterday in Asia/Tokyo, because the server rejects times more than
    5 minutes ahead. Counts of the day: inquiries, attempts (telephony records), abandoned,
    resolved, closed, escalated, open (at the end of the day, as the server reports them),
    calls (RPCs answered), stored (calls that stored something new), replayed (steps already
    stored by an earlier run) and failed. With ``live`` (see ``run_live``) also
    live_inquiries, live_stored, live_replayed, live_failed, live_breach (1 when the watch
    saw the unanswered one breach) and historical_alerts (other warnings and breaches seen
    during the watch). With ``suppliers`` (see ``madoguchi.demo_suppliers``) the day's
    supplier scenarios run between the two, adding suppliers, contracts, engagements,
    supplier_calls and penalty_yen.
    """
    day = day or yesterday_in_tokyo()
    scenarios = plan_day(day, seed=seed, size=size)
    latest = max(step.at for s in scenarios for step in s.steps)
    if latest > datetime.now(UTC) + timedelta(minutes=4):
        raise ValueError(f"{day} ends at {latest.astimezone(TOKYO):%H:%M} Asia/Tokyo, which "
                         "has not happened yet: choose an earlier day")
    if watch_seconds <= 0:
        raise ValueError("watch_seconds must be positive")
    inquiries = sum(1 for s in scenarios if s.creates_inquiry)
    print(f"窓口デモ Madoguchi demo: {day} (Asia/Tokyo), seed {seed} → {intake_address}\n"
          f"  問い合わせ {inquiries} 件 inquiries, 放棄呼 {len(scenarios) - inquiries} 件 "
          f"abandoned calls", file=out, flush=True)
    channel = grpc.insecure_channel(intake_address)
    try:
        try:
            grpc.channel_ready_future(channel).result(timeout=READY_TIMEOUT_SECONDS)
        except grpc.FutureTimeoutError:
            raise TimeoutError(f"intake service at {intake_address} is not ready after "
                               f"{READY_TIMEOUT_SECONDS:.0f} s") from None
        stub = intake_pb2_grpc.IntakeServiceStub(channel)
        runner = _Runner(stub, scenarios, out)
        counts = runner.run()
        print(f"完了 done: 問い合わせ {counts['inquiries']} inquiries, "
              f"解決 {counts['resolved']} resolved (うちクローズ {counts['closed']} closed), "
              f"エスカレーション {counts['escalated']} escalated, 未完了 {counts['open']} open, "
              f"通話記録 {counts['attempts']} call records", file=out)
        print(f"  steps: 新規 {counts['stored']} stored, 登録済み {counts['replayed']} already "
              f"there (idempotent), 失敗 {counts['failed']} failed", file=out)
        if counts["stored"] == 0 and counts["failed"] == 0:
            print("  この日はすでに登録済みです。Nothing new: this day was already sent.",
                  file=out)
        else:
            print("  SLA: この日の期限切れはまとめて通知されます。The SLA monitor measures this "
                  "day too: deadlines that already passed are raised at once as it catches "
                  "up, and their notifications are grouped per team (one message with a "
                  "list).", file=out)
        for line in runner.errors[:10]:
            print(f"  エラー error: {line}", file=out)
        out.flush()
        if suppliers:
            from madoguchi.config import load_settings
            from madoguchi.demo_suppliers import run_supplier_demo

            counts.update(run_supplier_demo(
                stub, supplier_address or load_settings().address("supplier"), day, out))
        if live:
            if sla_monitor_address is None:
                from madoguchi.config import load_settings

                sla_monitor_address = load_settings().address("sla_monitor")
            counts.update(run_live(stub, sla_monitor_address, watch=watch,
                                   watch_seconds=watch_seconds, out=out))
    finally:
        channel.close()
    return counts


def _seconds(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {value}")
    return number


def add_live_arguments(parser: argparse.ArgumentParser) -> None:
    """The live part's options (shared by ``madoguchi demo`` and ``python -m madoguchi.demo``)."""
    parser.add_argument("--sla-monitor", metavar="ADDRESS", default="",
                        help="SLA monitor address (default from configuration)")
    parser.add_argument("--watch-seconds", type=_seconds, default=WATCH_SECONDS,
                        metavar="SECONDS", help="stop watching the live alerts after this long "
                        f"if no breach came (default {WATCH_SECONDS:g})")
    parser.add_argument("--no-watch", action="store_true",
                        help="send the live inquiries but do not watch the SLA monitor")
    parser.add_argument("--no-live", action="store_true",
                        help="only the historical day: no live inquiries, no watch")
    parser.add_argument("--supplier", metavar="ADDRESS", default="",
                        help="supplier service address (default from configuration)")
    parser.add_argument("--no-suppliers", action="store_true",
                        help="skip the supplier scenarios (operator and maintenance vendor)")


def exit_status(counts: dict[str, int]) -> int:
    """1 when any call of the day, the live part or the supplier scenarios failed."""
    return 1 if (counts["failed"] or counts.get("live_failed")
                 or counts.get("supplier_failed")) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m madoguchi.demo [--intake HOST:PORT] [--day YYYY-MM-DD] …``."""
    parser = argparse.ArgumentParser(description="Send a demo day of a municipal contact "
                                                 "centre to the intake service, then live "
                                                 "inquiries, and watch their SLA alerts.")
    parser.add_argument("--intake", default="", help="intake address (default from settings)")
    parser.add_argument("--day", type=date.fromisoformat, default=None,
                        help="the day to play (default: yesterday in Asia/Tokyo)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", type=int, default=120, help="scenarios, abandoned calls "
                                                              "included")
    add_live_arguments(parser)
    args = parser.parse_args(argv)
    from madoguchi.config import load_settings

    ensure_utf8(sys.stdout)
    settings = load_settings()
    counts = run_demo(args.intake or settings.address("intake"), day=args.day, seed=args.seed,
                      size=args.size, live=not args.no_live, watch=not args.no_watch,
                      watch_seconds=args.watch_seconds,
                      sla_monitor_address=args.sla_monitor or settings.address("sla_monitor"),
                      supplier_address=args.supplier or settings.address("supplier"),
                      suppliers=not args.no_suppliers)
    return exit_status(counts)


if __name__ == "__main__":
    raise SystemExit(main())
