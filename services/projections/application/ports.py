"""What the projections' use cases need from storage and from the topics.

Defined here, by the application, and implemented by the adapters (SQL read models,
dead-letter table, generations, a topic reader); ``main.py`` wires the real ones in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from madoguchi.storage.offsets import ConsumerOffsets
from madoguchi.storage.sql import Cursor, SqlDatabase
from services.projections.application.read_models import ReadModel

# A generation's states: filled by a rebuild (BUILDING, then BUILT), serving (ACTIVE),
# replaced (RETIRED; kept for a switch back until the next rebuild drops it).
ACTIVE, BUILDING, BUILT, RETIRED = "ACTIVE", "BUILDING", "BUILT", "RETIRED"


@dataclass(frozen=True)
class DeadLetter:
    """A message no read model could take, kept with where it came from and why."""

    cluster_id: str
    topic: str
    partition: int
    offset: int
    consumer: str
    reason: str
    event_type: str
    key: bytes | None
    value: bytes | None


class DeadLetterStore(Protocol):
    def add(self, cur: Cursor, letter: DeadLetter) -> bool:
        """Keep ``letter`` (in the caller's transaction); False if it was kept before."""


class ReadModels(Protocol):
    """One generation's read models over one database."""

    db: SqlDatabase

    def for_event(self, event_type: str) -> list[ReadModel]: ...

    def views(self) -> dict[str, str]: ...


class GenerationStore(Protocol):
    """The generations of read-model tables: which one serves, which are being built."""

    def active(self) -> Any: ...

    def create(self, note: str) -> Any: ...

    def mark_built(self, number: int) -> None: ...

    def activate(self, cur: Cursor, number: int, views: dict[str, str]) -> int | None: ...

    def all(self) -> list[Any]: ...

    def forget(self, number: int) -> list[str]: ...


class TopicReading(Protocol):
    """Reads the projections' topics from given positions, outside any consumer group."""

    cluster: str
    partitions: list[Any]
    max_records: int

    def seek(self, positions: dict[Any, int]) -> None: ...

    def read(self, timeout_ms: int = 500) -> dict[Any, list[Any]]: ...

    def lag(self) -> int: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class RebuildParts:
    """What a rebuild works with; ``main.py`` builds it from the settings."""

    db: SqlDatabase
    generations: GenerationStore
    dead_letters: DeadLetterStore
    read_models: Callable[[int], ReadModels]       # generation number -> its read models
    offsets: Callable[[str], ConsumerOffsets]       # consumer name -> its stored offsets
    open_reader: Callable[[str], TopicReading]      # client id -> a reader of the topics
