"""An upstream system as the disturbance tests need it, and what they check afterwards.

``DeskClient`` sends inquiries under the 24×7 ``demo-fast`` agreement (first response
due one minute after the contact) at a steady rate and answers every other one 8–30 s
after its contact, retrying each call with the same idempotency key (and the answer with
its real ``occurred_at``) until intake takes it, as a telephony system would through
outages. ``check_read_model`` and ``breaches_by_inquiry`` read what the system made of it.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
from kafka import KafkaConsumer, TopicPartition

from madoguchi.api.intake.v1 import intake_pb2 as pb
from madoguchi.api.intake.v1 import intake_pb2_grpc
from madoguchi.api.projections.v1 import projections_pb2 as qpb
from madoguchi.api.projections.v1 import projections_pb2_grpc
from madoguchi.eventstream.avro import default_catalog
from madoguchi.rpc.channels import open_channel
from tests.support.requests import receive_request, ts

TARGET = timedelta(minutes=1)          # demo-fast: first response within 1 minute, 24×7


@dataclass
class Sent:
    key: str
    contacted_at: datetime
    answer_at: datetime | None        # None: never answered (its breach is due)
    inquiry_id: str = ""
    answered: bool = False


@dataclass
class DeskClient:
    intake: str                        # address
    rate: float = 4.0                  # new inquiries per second
    seed: int = 7
    sent: list[Sent] = field(default_factory=list)
    failures: int = 0

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._channel = open_channel(self.intake)
        self._stub = intake_pb2_grpc.IntakeServiceStub(self._channel)
        self._stop = threading.Event()
        self._sending = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._sending.set()
        self._thread = threading.Thread(target=self._run, name="desk-client", daemon=True)
        self._thread.start()

    def stop_sending(self) -> None:
        """No new inquiries from now on; pending calls and answers still go through."""
        self._sending.clear()

    def finish(self, timeout: float = 120.0) -> None:
        """Wait until every inquiry is accepted and every answer recorded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.done():
            time.sleep(0.2)
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        self._channel.close()
        assert self.done(), f"not accepted or not answered: {self.pending()}"

    def done(self) -> bool:
        return not self.pending()

    def pending(self) -> list[Sent]:
        return [s for s in self.sent if not s.inquiry_id
                or (s.answer_at is not None and not s.answered)]

    # ----- the loop -----

    def _run(self) -> None:
        next_new = time.monotonic()
        while not self._stop.is_set():
            if self._sending.is_set() and time.monotonic() >= next_new:
                self._new()
                next_new += 1 / self.rate
            for item in list(self.sent):
                if not item.inquiry_id:
                    self._receive(item)
                elif (item.answer_at is not None and not item.answered
                      and datetime.now(UTC) >= item.answer_at):
                    self._answer(item)
            time.sleep(0.02)

    def _new(self) -> None:
        now = datetime.now(UTC)
        answered = len(self.sent) % 2 == 0
        delay = timedelta(seconds=self._random.uniform(8, 30))
        self.sent.append(Sent(f"desk-{uuid.uuid4()}", now, now + delay if answered else None))

    def _receive(self, item: Sent) -> None:
        request = receive_request(idempotency_key=item.key, agreement_id="demo-fast",
                                  contacted_at=ts(item.contacted_at),
                                  subject="粗大ごみの収集日を知りたい")
        try:
            item.inquiry_id = self._stub.ReceiveInquiry(request, timeout=3).inquiry.inquiry_id
        except grpc.RpcError:
            self.failures += 1

    def _answer(self, item: Sent) -> None:
        assert item.answer_at is not None
        request = pb.RecordFirstResponseRequest(context=pb.CommandContext(
            inquiry_id=item.inquiry_id, actor="operator-01", occurred_at=ts(item.answer_at)))
        try:
            self._stub.RecordFirstResponse(request, timeout=3)
            item.answered = True
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.FAILED_PRECONDITION:
                item.answered = True     # a retry of an answer that was recorded already
            else:
                self.failures += 1

    # ----- expectations -----

    def answered_ids(self) -> set[str]:
        return {s.inquiry_id for s in self.sent if s.answer_at is not None}

    def due_ids(self, now: datetime) -> set[str]:
        """Unanswered inquiries whose first-response deadline has passed."""
        return {s.inquiry_id for s in self.sent
                if s.answer_at is None and s.contacted_at + TARGET <= now}

    def last_deadline(self) -> datetime:
        return max(s.contacted_at for s in self.sent) + TARGET


def read_model_ids(projections: str) -> list[str]:
    """Every inquiry id the read model lists (each listed once per inquiry it holds)."""
    with open_channel(projections) as channel:
        stub = projections_pb2_grpc.InquiryQueryServiceStub(channel)
        ids: list[str] = []
        token = ""
        while True:
            page = stub.ListInquiries(qpb.ListInquiriesRequest(page_size=500, page_token=token),
                                      timeout=10)
            ids += [v.inquiry_id for v in page.inquiries]
            token = page.next_page_token
            if not token:
                return ids


def breaches_by_inquiry(bootstrap: str, topic: str = "madoguchi.sla.signals.v1"
                        ) -> dict[str, set[str]]:
    """Inquiry id -> ids of the FIRST_RESPONSE breach alerts on the signals topic."""
    catalog = default_catalog()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                             enable_auto_commit=False, fetch_max_wait_ms=5)
    found: dict[str, set[str]] = {}
    try:
        partitions = [TopicPartition(topic, p)
                      for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for records in consumer.poll(timeout_ms=200).values():
                for message in records:
                    event_type, record = catalog.decode(message.value)
                    if event_type == "SlaBreached" and record["target"] == "FIRST_RESPONSE":
                        found.setdefault(str(record["inquiry_id"]), set()).add(
                            str(record["aggregate_id"]))
    finally:
        consumer.close()
    return found


def outcome(client: DeskClient, projections: str, bootstrap: str) -> dict[str, Any]:
    """What the system made of the client's inquiries, for one assertion."""
    ids = read_model_ids(projections)
    accepted = {s.inquiry_id for s in client.sent}
    breaches = breaches_by_inquiry(bootstrap)
    due = client.due_ids(datetime.now(UTC))
    return {
        "missing_from_read_model": sorted(accepted - set(ids)),
        "listed_twice": len(ids) - len(set(ids)),
        "breached_twice": sorted(i for i, alerts in breaches.items() if len(alerts) > 1),
        "due_not_breached": sorted(due - breaches.keys()),
        "answered_but_breached": sorted(client.answered_ids() & breaches.keys()),
    }


NOTHING_WRONG = {"missing_from_read_model": [], "listed_twice": 0, "breached_twice": [],
                 "due_not_breached": [], "answered_but_breached": []}
