"""What-if: the month's inquiries replayed under other terms; nothing stored changes."""

from __future__ import annotations

from typing import Any

from madoguchi.errors import InvalidField
from madoguchi.storage.sql import Cursor
from services.projections.adapters.read_models.inquiries.tables import InquiryTables, month_bounds
from services.projections.application.what_if import recompute
from services.projections.domain import sla_replay
from services.projections.domain.kpi_math import rate_percent


class InquiryWhatIf(InquiryTables):
    def what_if(self, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Replay the month's inquiries of an agreement under the pinned and the given terms."""
        agreement_id, month = params["agreement_id"], params["month"]
        trial = self._trial_terms(agreement_id, params.get("terms_json"),
                                  params.get("agreement_version"))
        start, end = month_bounds(month, self.zone)
        rows = self.db.query(
            f"SELECT inquiry_id, received_at FROM {self.t('inquiry_view')} "
            "WHERE agreement_id = ? AND received_at < ? AND updated_at >= ?",
            (agreement_id, self.time_to_sql(end), self.time_to_sql(start)))
        by_version: dict[int, list[tuple[str, list[tuple[str, dict[str, Any]]]]]] = {}
        everything: list[tuple[str, list[tuple[str, dict[str, Any]]]]] = []
        with self.db.transaction() as cur:
            for inquiry_id, received_at in rows:
                timeline = self._timeline(cur, inquiry_id)
                pinned = self.agreement_terms(cur, agreement_id, self.time_from_sql(received_at))
                if pinned is not None:
                    by_version.setdefault(pinned[0], []).append((inquiry_id, timeline))
                everything.append((inquiry_id, timeline))
            versions = {v: self.agreement_terms_version(cur, agreement_id, v)
                        for v in by_version}
        agreed: dict[tuple[str, str], list[int]] = {}
        for version, inquiries in by_version.items():
            terms = self._terms(agreement_id, version, versions[version] or "{}")
            if terms is None:
                continue
            for row in recompute(inquiries, terms, zone=self.zone, month=month):
                counts = agreed.setdefault((row.target, row.priority), [0, 0])
                counts[0] += row.met
                counts[1] += row.missed
        trial_rows = recompute(everything, trial, zone=self.zone, month=month)
        out = []
        keys = [(r.target, r.priority) for r in trial_rows]
        keys += [k for k in sorted(agreed) if k not in keys]
        trial_by_key = {(r.target, r.priority): r for r in trial_rows}
        for key in keys:
            met, missed = agreed.get(key, [0, 0])
            trial_row = trial_by_key.get(key)
            out.append((*key, met, missed, rate_percent(met, met + missed),
                        trial_row.met if trial_row else 0, trial_row.missed if trial_row else 0,
                        trial_row.compliance_percent if trial_row else None))
        return out

    def _trial_terms(self, agreement_id: str, terms_json: str | None,
                     version: int | None) -> Any:
        if terms_json:
            try:
                return sla_replay.terms_from_json(terms_json)
            except InvalidField as error:
                raise InvalidField([(f"params.terms_json ({name})", message)
                                    for name, message in error.violations]) from None
        if version is None:
            raise InvalidField([("params.terms_json", "give terms_json or agreement_version")])
        with self.db.transaction() as cur:
            found = self.agreement_terms_version(cur, agreement_id, version)
        if found is None:
            raise InvalidField([("params.agreement_version",
                                 f"agreement {agreement_id} has no version {version} here")])
        terms = self._terms(agreement_id, version, found)
        if terms is None:
            raise InvalidField([("params.agreement_version",
                                 f"version {version} has terms the clocks cannot use")])
        return terms

    def agreement_terms_version(self, cur: Cursor, agreement_id: str, version: int
                                ) -> str | None:
        row = cur.execute(
            f"SELECT terms_json FROM {self.t('agreement_version')} WHERE agreement_id = ? "
            "AND version = ?", (agreement_id, version)).fetchone()
        return None if row is None else str(row[0])
