"""Priority: the ITIL impact × urgency matrix, and an explicit priority overriding it,
at receipt and when the priority is changed later.

              urgency HIGH  MEDIUM  LOW
    impact HIGH        P1    P2     P3
           MEDIUM      P2    P3     P4
           LOW         P3    P4     P5
"""

from __future__ import annotations

import pytest

from madoguchi.errors import InvalidField
from services.intake.domain.values import PRIORITY_MATRIX, Level, Priority, derive_priority
from tests.support.unit_helpers import make_app, meta, receive_cmd, stored_count

H, M, L = Level.HIGH, Level.MEDIUM, Level.LOW

MATRIX = [
    # impact, urgency, priority
    (H, H, Priority.P1), (H, M, Priority.P2), (H, L, Priority.P3),
    (M, H, Priority.P2), (M, M, Priority.P3), (M, L, Priority.P4),
    (L, H, Priority.P3), (L, M, Priority.P4), (L, L, Priority.P5),
]
RANK = {Level.LOW: 0, Level.MEDIUM: 1, Level.HIGH: 2}


@pytest.mark.parametrize(("impact", "urgency", "priority"), MATRIX)
def test_matrix_cell(impact: Level, urgency: Level, priority: Priority) -> None:
    assert derive_priority(impact, urgency) == priority


def test_matrix_has_exactly_the_nine_documented_cells() -> None:
    assert {(i, u): p for i, u, p in MATRIX} == PRIORITY_MATRIX


def test_matrix_is_symmetric_and_monotonic() -> None:
    for impact in Level:
        for urgency in Level:
            here = derive_priority(impact, urgency)
            assert derive_priority(urgency, impact) == here
            for higher in Level:
                if RANK[higher] > RANK[impact]:
                    # Priorities sort P1 < P5: more impact never means a lower priority.
                    assert derive_priority(higher, urgency) <= here


@pytest.mark.parametrize(("impact", "urgency", "priority"), MATRIX)
def test_received_inquiry_gets_the_matrix_priority(impact: Level, urgency: Level,
                                                    priority: Priority) -> None:
    app = make_app()
    inquiry = app.receive_inquiry(receive_cmd(impact=impact.value, urgency=urgency.value,
                                              priority="")).aggregate
    assert inquiry.priority == priority
    assert (inquiry.impact, inquiry.urgency) == (impact, urgency)
    assert app.get_inquiry(str(inquiry.id)).priority == priority


@pytest.mark.parametrize(("impact", "urgency", "explicit"), [
    ("HIGH", "HIGH", "P5"),
    ("LOW", "LOW", "P1"),
    ("MEDIUM", "MEDIUM", "P2"),
    ("", "", "P4"),          # with an explicit priority, impact and urgency are optional
    ("HIGH", "", "P3"),
])
def test_explicit_priority_overrides_the_matrix(impact: str, urgency: str,
                                                explicit: str) -> None:
    app = make_app()
    inquiry = app.receive_inquiry(receive_cmd(impact=impact, urgency=urgency,
                                              priority=explicit)).aggregate
    assert inquiry.priority == explicit
    assert app.get_inquiry(str(inquiry.id)).priority == explicit


@pytest.mark.parametrize(("impact", "urgency", "priority"), MATRIX)
def test_a_priority_change_follows_the_matrix(impact: Level, urgency: Level,
                                              priority: Priority) -> None:
    app = make_app()
    iid = str(app.receive_inquiry(receive_cmd(priority="P5")).aggregate.id)
    changed = app.change_priority(iid, 0, meta(), impact.value, urgency.value, "",
                                  "再評価").aggregate
    assert (changed.impact, changed.urgency, changed.priority) == (impact, urgency, priority)


@pytest.mark.parametrize(("impact", "urgency", "explicit"), [
    ("LOW", "LOW", "P1"),
    ("", "", "P2"),          # as at receipt, impact and urgency are optional with a priority
    ("HIGH", "", "P4"),
])
def test_an_explicit_priority_overrides_the_matrix_on_change(impact: str, urgency: str,
                                                             explicit: str) -> None:
    app = make_app()
    iid = str(app.receive_inquiry(receive_cmd()).aggregate.id)
    changed = app.change_priority(iid, 0, meta(), impact, urgency, explicit, "所長判断")
    assert (changed.aggregate.impact, changed.aggregate.urgency) == (impact, urgency)
    assert app.get_inquiry(iid).priority == explicit


@pytest.mark.parametrize(("changes", "fields"), [
    ({"impact": "", "urgency": "", "priority": ""}, {"impact", "urgency"}),
    ({"impact": "HIGH", "urgency": "", "priority": ""}, {"urgency"}),
    ({"impact": "CRITICAL", "urgency": "HIGH", "priority": ""}, {"impact"}),
    ({"impact": "HIGH", "urgency": "HIGH", "priority": "P0"}, {"priority"}),
    ({"impact": "SEVERE", "urgency": "", "priority": "P2"}, {"impact"}),
])
def test_priority_inputs_that_are_rejected(changes: dict[str, str], fields: set[str]) -> None:
    app = make_app()
    with pytest.raises(InvalidField) as raised:
        app.receive_inquiry(receive_cmd(**changes))
    assert {name for name, _ in raised.value.violations} == fields
    assert stored_count(app) == 0


@pytest.mark.parametrize(("changes", "fields"), [
    ({"impact": "", "urgency": "", "priority": ""}, {"impact", "urgency"}),
    ({"impact": "CRITICAL", "urgency": "HIGH", "priority": ""}, {"impact"}),
    ({"impact": "HIGH", "urgency": "HIGH", "priority": "P0"}, {"priority"}),
    ({"impact": "HIGH", "urgency": "HIGH", "priority": "", "reason": ""}, {"reason"}),
])
def test_priority_changes_that_are_rejected(changes: dict[str, str], fields: set[str]) -> None:
    app = make_app()
    iid = str(app.receive_inquiry(receive_cmd()).aggregate.id)
    args = {"reason": "再評価", **changes}
    with pytest.raises(InvalidField) as raised:
        app.change_priority(iid, 0, meta(), args["impact"], args["urgency"], args["priority"],
                            args["reason"])
    assert {name for name, _ in raised.value.violations} == fields
    assert stored_count(app) == 1
    assert app.get_inquiry(iid).priority == "P3"
