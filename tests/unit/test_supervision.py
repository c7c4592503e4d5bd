"""When the launcher starts a crashed part again, and when it gives up."""

from __future__ import annotations

from madoguchi_cli.supervision import RestartPolicy


def test_backoff_doubles_for_crashes_in_a_row_up_to_the_limit() -> None:
    policy = RestartPolicy(burst=10, window=1000, max_delay=8)
    delays = [policy.crashed(now=float(n), ran_for=1.0) for n in range(6)]
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert policy.restarts == 6


def test_a_part_that_ran_for_a_while_starts_again_at_once() -> None:
    policy = RestartPolicy()
    assert policy.crashed(now=0.0, ran_for=1.0) == 1.0
    assert policy.crashed(now=100.0, ran_for=90.0) == 0.0
    assert policy.crashed(now=101.0, ran_for=1.0) == 2.0


def test_too_many_crashes_within_the_window_give_up() -> None:
    policy = RestartPolicy(burst=3, window=60)
    assert all(policy.crashed(now=float(n), ran_for=0.5) is not None for n in range(3))
    assert policy.crashed(now=3.0, ran_for=0.5) is None


def test_crashes_outside_the_window_are_forgotten() -> None:
    policy = RestartPolicy(burst=2, window=60)
    policy.crashed(now=0.0, ran_for=0.5)
    policy.crashed(now=10.0, ran_for=0.5)
    assert policy.crashed(now=100.0, ran_for=0.5) is not None
