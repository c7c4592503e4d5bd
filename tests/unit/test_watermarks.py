"""How far a partition has been read, in event time: lag delays, never invents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.sla_monitor.application.watermarks import StreamWatermarks

T = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


class Monotonic:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def marks(clock: Monotonic) -> StreamWatermarks:
    w = StreamWatermarks(jitter=2.0, fresh=2.0, quiet=3.0, monotonic=clock)
    w.assigned([0, 1])
    return w


def at(seconds: float) -> datetime:
    return T + timedelta(seconds=seconds)


def test_nothing_is_known_of_a_partition_until_it_is_read_or_caught_up() -> None:
    w = marks(Monotonic())
    assert w.watermark(0) is None
    assert w.watermark(7) is None      # not assigned here


def test_records_move_the_watermark_to_their_time_less_the_jitter() -> None:
    w = marks(Monotonic())
    w.read(0, [at(10), at(30), at(20)], read_at=at(31))
    assert w.watermark(0) == at(28)
    w.read(0, [at(25)], read_at=at(32))  # older: the watermark never goes back
    assert w.watermark(0) == at(28)
    assert w.watermark(1) is None        # per partition


def test_caught_up_on_a_live_stream_counts_at_once() -> None:
    clock = Monotonic()
    w = marks(clock)
    w.read(0, [at(100)], read_at=at(100.5))      # fresh: read half a second after
    assert w.caught_up([0, 1], at(101))
    assert w.watermark(0) == at(101) and w.watermark(1) == at(101)


def test_while_a_backlog_is_read_only_the_records_own_time_counts() -> None:
    clock = Monotonic()
    w = marks(clock)
    w.read(0, [at(10)], read_at=at(500))          # replaying: stored long ago
    assert not w.caught_up([0], at(500))          # an answer may follow in the backlog
    assert w.watermark(0) == at(8)
    clock.now += 2.9
    assert not w.caught_up([0], at(503))
    clock.now += 0.2                              # nothing more for 3 s after what was
    #                                               read: quiet, so live
    assert w.caught_up([0], at(503.2))
    assert w.watermark(0) == at(503.2)


def test_fresh_records_after_a_backlog_make_the_stream_live_again() -> None:
    clock = Monotonic()
    w = marks(clock)
    w.read(0, [at(10)], read_at=at(500))
    w.read(1, [at(499.5)], read_at=at(500.1))
    assert w.caught_up([0], at(500.2))


def test_after_an_assignment_with_nothing_read_it_takes_longer_to_call_the_stream_quiet(
        ) -> None:
    clock = Monotonic()
    w = marks(clock)                       # assigned, nothing read yet: the producers'
    clock.now += 3.1                       # relays may still be reconnecting
    assert not w.caught_up([0], at(10))
    clock.now += 27                        # settle (30 s) passed: nothing is coming
    assert w.caught_up([0], at(40))


def test_a_new_assignment_forgets_what_was_known() -> None:
    clock = Monotonic()
    w = marks(clock)
    w.read(0, [at(100)], read_at=at(100.1))
    w.assigned([0])
    assert w.watermark(0) is None


def test_after_the_broker_went_away_a_quiet_stream_proves_nothing_for_a_while() -> None:
    clock = Monotonic()
    w = marks(clock)
    w.read(0, [at(100)], read_at=at(100.1))       # live before the outage
    clock.now += 70
    w.interrupted()                               # the broker did not answer
    clock.now += 5
    assert not w.caught_up([0], at(175))          # a relay may still be reconnecting
    w.read(0, [at(174.8)], read_at=at(175.1))     # fresh again: live
    assert w.caught_up([0], at(175.2))
