"""All read models of one generation, built together over one database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from madoguchi.storage.sql import SqlDatabase
from services.projections.adapters.read_models.inquiries.read_model import InquiryReadModel
from services.projections.adapters.read_models.knowledge import KnowledgeReadModel
from services.projections.adapters.read_models.kpis.read_model import KpiReadModel
from services.projections.adapters.read_models.sla import SlaReadModel
from services.projections.adapters.read_models.suppliers.read_model import SupplierReadModel
from services.projections.application.read_models import QuerySpec, ReadModel, TableNames

MODEL_CLASSES: tuple[Any, ...] = (InquiryReadModel, SlaReadModel, SupplierReadModel,
                                  KpiReadModel, KnowledgeReadModel)


class ReadModelSet:
    """One generation's read models (tables prefixed ``g<N>_``), created on construction."""

    def __init__(self, db: SqlDatabase, generation: int, zone: str = "Asia/Tokyo") -> None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            # Checked here, not per event: a typo would otherwise make every dated
            # message a dead letter.
            raise ValueError(f"reporting time zone {zone!r} (MADOGUCHI_REPORTING_TIME_ZONE) "
                             "is not an IANA time zone such as Asia/Tokyo") from None
        self.db = db
        self.generation = generation
        self.tables = TableNames(f"g{generation}_")
        self.models: list[ReadModel] = [cls(db, self.tables, zone) for cls in MODEL_CLASSES]
        for model in self.models:
            model.create()
        self.inquiries: InquiryReadModel = self.models[0]  # type: ignore[assignment]
        self._by_type: dict[str, list[ReadModel]] = {}
        for model in self.models:
            for event_type in model.event_types:
                self._by_type.setdefault(event_type, []).append(model)

    def __iter__(self) -> Iterator[ReadModel]:
        return iter(self.models)

    def for_event(self, event_type: str) -> list[ReadModel]:
        return self._by_type.get(event_type, [])

    def views(self) -> dict[str, str]:
        views: dict[str, str] = {}
        for model in self.models:
            for name, select in model.views().items():
                if name in views:
                    raise ValueError(f"two read models define the view {name}")
                views[name] = select
        return views

    def queries(self) -> dict[str, tuple[str, QuerySpec]]:
        """Every query by name, with the read model that answers it."""
        found: dict[str, tuple[str, QuerySpec]] = {}
        for model in self.models:
            for spec in model.queries():
                if spec.name in found:
                    raise ValueError(f"two read models define the query {spec.name}")
                found[spec.name] = (model.name, spec)
        return found
