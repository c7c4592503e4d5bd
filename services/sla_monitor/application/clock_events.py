"""Applying one kind of clocks' events in order: the rule inquiry and engagement clocks
share.

The opening event (``InquiryReceived``, ``EngagementOpened``) creates the clocks; a
redelivered one changes nothing. A later event for clocks this monitor never opened is
ignored (counting it would be a guess), and one at or below the stored version was
applied already (redelivered or replayed). Anything else moves the version on and is
the kind's own ``step``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)


class VersionedClockEvents:
    opening_event: str

    def apply(self, state: Any, event_type: str, record: dict[str, Any], batch: Any) -> Any:
        version = int(record["aggregate_version"])
        at: datetime = record["occurred_at"]
        if event_type == self.opening_event:
            return state if state is not None else self.opened(record, at, version)
        if state is None:
            log.debug("no clocks for %s; %s ignored", record["aggregate_id"], event_type)
            return None
        if version <= state.version:
            return state
        state.version = version
        return self.step(state, event_type, record, at, batch)

    def opened(self, record: dict[str, Any], at: datetime, version: int) -> Any:
        raise NotImplementedError

    def step(self, state: Any, event_type: str, record: dict[str, Any], at: datetime,
             batch: Any) -> Any:
        raise NotImplementedError
