"""Load an event-sourced aggregate, change it, save it; retry when another writer won.

The one way every service changes an existing aggregate. The event store's unique
(aggregate, version) key is the lock: a save that loses the race raises
``IntegrityError`` and the change is tried again on the newest state, unless the
caller pinned an ``expected_version`` (then the caller must reload: VersionConflict).

Two cases that look like a lost race are not:

* the store retried an insert whose first commit had in fact succeeded (a connection
  dropped after COMMIT), so the "conflicting" event is our own: the change took effect,
  and the save listeners (relay, feeds) are told as after any save;
* a repeated call that already took effect before the version check (``is_retry``): it
  is answered as a replay instead of failing on the version it itself moved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from madoguchi.errors import NotFound, VersionConflict

ATTEMPTS = 8


@dataclass(frozen=True)
class Change:
    """What became of one change: the aggregate after it, and ``action``'s answer.

    ``replayed``: nothing new was recorded because the call had already taken effect
    (``is_retry``), or ``action`` recorded nothing and said so by returning False.
    """

    aggregate: Any
    result: Any = None
    replayed: bool = False


def change_aggregate(app: Application[UUID], aggregate_id: UUID, *, kind: type, label: str,
                     action: Callable[[Any], Any], expected_version: int = 0,
                     is_retry: Callable[[Any], bool] | None = None,
                     attempts: int = ATTEMPTS) -> Change:
    """Apply ``action`` to the newest ``kind`` aggregate and save what it recorded.

    ``label`` names the aggregate in errors ("inquiry 1234…"): NotFound when there is
    none of that kind, VersionConflict when ``expected_version`` is stale or the
    aggregate stays busy for ``attempts`` tries.
    """
    if expected_version < 0:
        raise ValueError("expected_version must not be negative")
    for _ in range(attempts):
        aggregate = _find(app, aggregate_id)
        if not isinstance(aggregate, kind):
            raise NotFound(f"{label} not found")
        if is_retry is not None and is_retry(aggregate):
            return Change(aggregate, replayed=True)
        if expected_version and aggregate.version != expected_version:
            raise VersionConflict(f"{label} is at version {aggregate.version}, "
                                  f"not the expected version {expected_version}")
        result = action(aggregate)
        if not aggregate.pending_events:
            return Change(aggregate, result, replayed=result is False)
        try:
            app.save(aggregate)
        except IntegrityError:
            if _is_own_write(app, aggregate):
                getattr(app, "notify_listeners", lambda: None)()
                return Change(aggregate, result)
            if expected_version:
                raise VersionConflict(
                    f"{label} was changed concurrently; reload and retry") from None
            continue
        return Change(aggregate, result)
    raise VersionConflict(f"{label} is too busy; retry")


def _find(app: Application[UUID], aggregate_id: UUID) -> Any:
    try:
        return app.repository.get(aggregate_id)
    except AggregateNotFoundError:
        return None


def _is_own_write(app: Application[UUID], aggregate: Any) -> bool:
    """True when the stored event at our new version is the one we just made."""
    stored = list(app.events.get(aggregate.id, gt=aggregate.version - 1,
                                 lte=aggregate.version))
    return bool(stored) and stored[0].timestamp == aggregate.modified_on
