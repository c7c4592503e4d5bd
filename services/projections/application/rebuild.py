"""Rebuild every read model from the beginning of the topics while the old ones serve.

A new generation is created and filled from offset 0 of every partition under its own
consumer name, with the same projector the live service uses (so dead letters and
idempotency behave the same). When it has caught up with the ends of the topics it is
made ACTIVE in one transaction that also repoints the reporting views; the running
service notices within a second and continues the new generation from its stored
offsets. Until then every query is answered from the old generation. The generation
before the old one is dropped; the old one stays for a switch back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from services.projections.application.ports import RETIRED, RebuildParts
from services.projections.application.projector import Projector


@dataclass(frozen=True)
class RebuildResult:
    generation: int
    previous: int | None
    events: int
    seconds: float
    dropped: tuple[int, ...]

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def rebuild(parts: RebuildParts, *, activate: bool = True, note: str = "rebuild",
            progress: Callable[[str], None] = lambda line: None,
            max_lag_to_finish: int = 0) -> RebuildResult:
    """Fill a new generation from the topics and (unless ``activate`` is False) switch to it.

    ``max_lag_to_finish``: messages still unread that are acceptable at the switch (the
    live service reads the rest from the new generation's offsets).
    """
    db = parts.db
    try:
        generations = parts.generations
        previous = generations.active()
        generation = generations.create(note)
        models = parts.read_models(generation.number)
        offsets = parts.offsets(generation.consumer)
        projector = Projector(models, offsets, parts.dead_letters)
        reader = parts.open_reader(f"projections-rebuild-g{generation.number}")
        progress(f"building generation {generation.number} from {len(reader.partitions)} "
                 f"partitions (serving: {previous.number if previous else 'none'})")
        started = time.monotonic()
        events = 0
        last_report = started
        try:
            reader.seek(offsets.stored_offsets(reader.cluster, reader.partitions))
            while True:
                batches = reader.read(timeout_ms=100)
                read = sum(len(records) for records in batches.values())
                if read:
                    projector.handle_all(reader.cluster, batches)
                events += read
                # A short read may be the last one: ask the ends (one round trip) only then.
                if read < reader.max_records and reader.lag() <= max_lag_to_finish:
                    break
                if time.monotonic() - last_report > 5:
                    last_report = time.monotonic()
                    progress(f"  {events} messages, {reader.lag()} to go")
        finally:
            reader.close()
        seconds = time.monotonic() - started
        dropped: list[int] = []
        if not activate:
            generations.mark_built(generation.number)
        else:
            with db.transaction() as cur:
                replaced = generations.activate(cur, generation.number, models.views())
            # Only retired ones go: never one another rebuild is filling (BUILDING/BUILT),
            # nor the one just replaced (a switch back; the service may still be on it).
            for old in generations.all():
                if old.state == RETIRED and old.number != replaced:
                    generations.forget(old.number)
                    dropped.append(old.number)
        progress(f"generation {generation.number}: {events} messages in {seconds:.1f} s"
                 + (", active" if activate else ", not activated"))
        return RebuildResult(generation.number, previous.number if previous else None,
                             events, seconds, tuple(dropped))
    finally:
        db.close()
