"""Builders of realistic intake requests for the tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

from madoguchi.api.intake.v1 import intake_pb2 as pb


def ts(moment: datetime) -> Timestamp:
    value = Timestamp()
    value.FromDatetime(moment)
    return value


def receive_request(**overrides: object) -> pb.ReceiveInquiryRequest:
    fields: dict[str, object] = {
        "idempotency_key": f"test-{uuid.uuid4()}",
        "channel": pb.PHONE,
        "kind": pb.QUESTION,
        "contact": pb.Contact(name="山田 太郎", phone="090-1234-5678",
                              email="taro@example.jp", preferred_language="ja"),
        "subject": "住民票の写しをコンビニで取得できますか",
        "body": "マイナンバーカードで住民票の写しをコンビニ交付で取りたいです。",
        "category": "住民票・戸籍",
        "department": "市民課",
        "impact": pb.LOW,
        "urgency": pb.MEDIUM,
        "agreement_id": "citizen-standard",
        "contacted_at": ts(datetime.now(UTC) - timedelta(minutes=1)),
        "actor": "operator-01",
    }
    fields.update(overrides)
    return pb.ReceiveInquiryRequest(**fields)  # type: ignore[arg-type]


def ctx(inquiry_id: str, expected_version: int = 0, actor: str = "operator-01"
        ) -> pb.CommandContext:
    return pb.CommandContext(inquiry_id=inquiry_id, expected_version=expected_version,
                             actor=actor)
