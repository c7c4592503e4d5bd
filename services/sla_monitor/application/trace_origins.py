"""Which trace each clock owner was last worked on under, so a signal raised later — a
warning or breach by a timer, minutes or hours after the inquiry's events were read —
continues the inquiry's trace instead of starting a trace of its own.

Kept in memory and bounded (the newest owners win); after a restart a signal is raised
without a trace until the owner's next event is read. Nothing is kept while tracing is
off.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from madoguchi.observability import tracing

LIMIT = 100_000


class TraceOrigins:
    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._by_owner: OrderedDict[str, str] = OrderedDict()

    def remember(self, state: Any, model: Any) -> None:
        """The current span's trace is now ``state``'s owner's (call inside the span)."""
        if state is None or not tracing.enabled():
            return
        carried = tracing.traceparent()
        if not carried:
            return
        owner = model.owner(state)
        self._by_owner[owner] = carried
        self._by_owner.move_to_end(owner)
        while len(self._by_owner) > self.limit:
            self._by_owner.popitem(last=False)

    @contextmanager
    def traced(self, effects: Any) -> Iterator[list[Any]]:
        """``effects.new``, to be saved meanwhile: each signal under a span of its
        owner's trace (ended when the block ends)."""
        if not tracing.enabled():
            yield effects.new
            return
        spans, carried = [], {}
        for aggregate in effects.new:
            origin = self._by_owner.get(effects.owners.get(aggregate.id, ""), "")
            names = [type(e).__name__ for e in aggregate.pending_events] or ["signal"]
            span = tracing.follow_up_span(f"sla {names[0]}", origin)
            if span is not None:
                spans.append(span)
                carried[aggregate.id] = tracing.span_traceparent(span)
        try:
            with tracing.traces_for(carried):
                yield effects.new
        finally:
            for span in spans:
                span.end()
