"""A consumer says whether it sees: joining, holding partitions, behind, or cut off."""

from __future__ import annotations

from kafka import TopicPartition

from madoguchi.eventstream.consumer_status import (
    ASSIGNED,
    DISCONNECTED,
    JOINING,
    STANDBY,
    ConsumerLimits,
    ConsumerTracker,
)

T0, T1 = TopicPartition("t", 0), TopicPartition("t", 1)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def tracker(clock: Clock) -> ConsumerTracker:
    return ConsumerTracker("c", "g", ("t",), ConsumerLimits(
        blind_after=10, rejoin_after=16, max_lag=60), clock=clock)


def test_a_join_is_fine_for_a_while_then_blind_then_overdue() -> None:
    clock = Clock()
    t = tracker(clock)
    t.joining(anew=True)
    clock.now += 9
    assert t.status().healthy and t.status().state == JOINING
    assert not t.join_overdue()
    clock.now += 2
    status = t.status()
    assert not status.healthy and "joining its group" in status.reason
    assert "for 11 s" in status.reason
    clock.now += 6
    assert t.join_overdue()
    t.joining(anew=True)           # a new client: the join's clock starts again …
    assert not t.join_overdue()
    assert not t.status().healthy  # … but it still does not see


def test_a_rebalance_does_not_restart_the_join_clock() -> None:
    clock = Clock()
    t = tracker(clock)
    t.joining(anew=True)
    clock.now += 12
    t.joining()                    # the revocation at the start of each join attempt
    assert not t.status().healthy


def test_holding_partitions_read_to_the_end_is_healthy_and_reports_lag() -> None:
    clock = Clock()
    t = tracker(clock)
    t.joining(anew=True)
    t.assigned([T0, T1], {T0: 5})
    t.positions({T0: 5, T1: 0}, {T0: 8, T1: 0}, from_broker=True)
    status = t.status()
    assert status.state == ASSIGNED and status.healthy
    assert [(p.partition, p.lag) for p in status.partitions] == [(0, 3), (1, 0)]
    assert status.lag == 3
    t.handled(T0, 8, 3)
    t.positions({T0: 8, T1: 0}, {T0: 8, T1: 0}, from_broker=False)
    assert t.caught_up() == [T0, T1]
    assert t.status().behind_seconds == 0


def test_staying_behind_too_long_is_blind() -> None:
    clock = Clock()
    t = tracker(clock)
    t.assigned([T0], {T0: 0})
    t.positions({T0: 0}, {T0: 100}, from_broker=True)
    clock.now += 59
    t.positions({T0: 50}, {T0: 150}, from_broker=True)
    assert t.status().healthy
    clock.now += 2
    t.positions({T0: 100}, {T0: 200}, from_broker=True)
    status = t.status()
    assert not status.healthy and "behind the end" in status.reason
    t.positions({T0: 200}, {T0: 200}, from_broker=True)
    assert t.status().healthy


def test_no_partition_in_a_stable_group_is_standby_not_blind() -> None:
    clock = Clock()
    t = tracker(clock)
    t.assigned([], {})
    clock.now += 600
    assert t.status().state == STANDBY and t.status().healthy


def test_blindness_lasts_across_a_new_join_until_partitions_are_held() -> None:
    clock = Clock()
    t = tracker(clock)
    t.assigned([T0], {T0: 0})
    t.disconnected()
    clock.now += 11
    assert not t.status().healthy
    t.joining(anew=True)          # the broker is back: a new join does not hide it
    assert not t.status().healthy
    t.assigned([T0], {T0: 0})
    assert t.status().healthy


def test_a_silent_broker_makes_it_disconnected_and_an_answer_brings_it_back() -> None:
    clock = Clock()
    t = tracker(clock)
    t.assigned([T0], {T0: 0})
    clock.now += 5
    t.broker_silent()
    assert t.status().state == ASSIGNED          # not silent for long yet
    clock.now += 6
    t.broker_silent()
    assert t.status().state == DISCONNECTED
    clock.now += 11
    assert not t.status().healthy and "no answer from the broker" in t.status().reason
    t.positions({}, {T0: 0}, from_broker=True)
    assert t.status().state == ASSIGNED and t.status().healthy


def test_rejoins_are_counted_with_their_reason() -> None:
    t = tracker(Clock())
    t.rejoined("no assignment 16 s after joining")
    assert (t.status().rejoins, t.status().last_rejoin_reason) == (
        1, "no assignment 16 s after joining")
