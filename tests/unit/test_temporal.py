"""Allen relations between events with uncertain bounds, and how many `relate_all` emits."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.temporal import (
    RELATIONS,
    Bounds,
    Relation,
    allen_inverse,
    relate,
    relate_all,
    relation_status,
)
from loaders.edtf import parse_edtf

BASE = dt.date(2000, 1, 1)


def event(id_: str, text: str) -> Bounds:
    value = parse_edtf(text)
    return Bounds(
        id=id_,
        earliest=value.earliest,
        start_latest=value.start_latest,
        end_earliest=value.end_earliest,
        latest=value.latest,
        uncertain=value.uncertain,
    )


def exact(id_: str, start: int, end: int) -> Bounds:
    first, last = BASE + dt.timedelta(start), BASE + dt.timedelta(end)
    return Bounds(id_, first, first, last, last)


def names(relations: list[Relation]) -> set[str]:
    return {r.relation for r in relations}


def test_calderon_sworn_in_certainly_before_operation_michoacan() -> None:
    sworn_in = event("calderon-sworn-in", "2006-12-01")
    operation = event("operation-michoacan", "2006-12-11")
    assert relate(sworn_in, operation) == [
        Relation("calderon-sworn-in", "operation-michoacan", "intervalBefore", True)
    ]
    assert relate(operation, sworn_in) == [
        Relation("operation-michoacan", "calderon-sworn-in", "intervalAfter", True)
    ]


def test_approximate_year_is_not_certain() -> None:
    relations = relate(event("a", "2006~"), event("b", "2006-12-11"))
    assert relations
    assert not any(r.certain for r in relations)
    assert {"intervalBefore", "intervalAfter", "intervalContains"} <= names(relations)
    assert "intervalOverlaps" not in names(relations)  # B is a single day


def test_open_ended_interval_possibly_contains() -> None:
    relations = relate(event("a", "2024-07-25/.."), event("b", "2024-08-01"))
    assert not any(r.certain for r in relations)
    assert names(relations) == {
        "intervalBefore",
        "intervalMeets",
        "intervalContains",
        "intervalFinishedBy",
    }


def test_same_day_is_certainly_equal() -> None:
    assert relate(event("a", "2018-01-25"), event("b", "2018-01-25")) == [
        Relation("a", "b", "intervalEquals", True)
    ]


def test_interval_certainly_contains_a_day_inside() -> None:
    assert relate(event("a", "2017-11-19/2018-12"), event("b", "2018-01-25")) == [
        Relation("a", "b", "intervalContains", True)
    ]


def test_consecutive_days_meet() -> None:
    assert relate(event("a", "2006-12-10"), event("b", "2006-12-11")) == [
        Relation("a", "b", "intervalMeets", True)
    ]
    assert relate(event("a", "2006-12-09"), event("b", "2006-12-11"))[0].relation == (
        "intervalBefore"
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (
            "2017-11/2018-12",
            "2017-11-15/2018-12-31",
            {
                "intervalOverlaps",
                "intervalFinishedBy",
                "intervalStarts",
                "intervalEquals",
                "intervalDuring",
                "intervalFinishes",
            },
        ),
        ("2006", "2006-03/2006-05", set()),  # every relation is possible: nothing to say
        ("2006-01-01/2006-06-30", "2006-03-01/2006-12-31", "intervalOverlaps"),
        ("2006-03-01/2006-06-30", "2006-01-01/2006-06-30", "intervalFinishes"),
        ("2006-03-01/2006-06-30", "2006-03-01/2006-12-31", "intervalStarts"),
        ("2006-03-01/2006-06-30", "2006-01-01/2006-12-31", "intervalDuring"),
    ],
)
def test_more_hand_cases(a: str, b: str, expected: set[str] | str) -> None:
    relations = relate(event("a", a), event("b", b))
    if isinstance(expected, str):
        assert relations == [Relation("a", "b", expected, True)]
    else:
        assert not any(r.certain for r in relations)
        assert names(relations) == expected


def test_uncertain_date_is_never_certain() -> None:
    assert relate(event("a", "2006-12-01?"), event("b", "2006-12-11")) == [
        Relation("a", "b", "intervalBefore", False)
    ]
    assert relate(event("a", "2006-12-11"), event("b", "2006-12-11%")) != []
    assert not any(r.certain for r in relate(event("a", "2006-12-11"), event("b", "2006-12-11?")))


def test_unknown_bounds_give_nothing() -> None:
    assert relate(Bounds("a"), Bounds("b")) == []
    assert relate(Bounds("a"), event("b", "2006")) == []


def test_open_start_interval() -> None:
    relations = relate(event("a", "../2006-12-01"), event("b", "2006-12-11"))
    assert relations == [Relation("a", "b", "intervalBefore", True)]


def test_same_event_and_inconsistent_bounds_give_nothing() -> None:
    day = event("a", "2006-12-11")
    assert relate(day, day) == []
    broken = Bounds("x", dt.date(2007, 1, 1), dt.date(2007, 1, 1), None, dt.date(2006, 1, 1))
    assert relate(broken, day) == []
    assert list(relate_all([broken, day])) == []


def test_allen_inverse() -> None:
    assert allen_inverse("intervalBefore") == "intervalAfter"
    assert allen_inverse("intervalStartedBy") == "intervalStarts"
    assert allen_inverse("intervalEquals") == "intervalEquals"
    assert all(allen_inverse(allen_inverse(name)) == name for name in RELATIONS)
    assert len({allen_inverse(name) for name in RELATIONS}) == 13
    with pytest.raises(ValueError, match="not an OWL-Time interval relation"):
        allen_inverse("before")


intervals = st.tuples(st.integers(0, 60), st.integers(0, 10)).map(lambda t: (t[0], t[0] + t[1]))


@given(intervals, intervals)
def test_exact_intervals_have_exactly_one_relation(a: tuple[int, int], b: tuple[int, int]) -> None:
    first, second = exact("a", *a), exact("b", *b)
    status = relation_status(first, second)
    certain = [name for name, value in status.items() if value == "certain"]
    assert len(certain) == 1
    assert all(value in {"certain", "impossible"} for value in status.values())
    [relation] = relate(first, second)
    [inverse] = relate(second, first)
    assert relation.certain
    assert inverse.certain
    assert inverse.relation == allen_inverse(relation.relation)


def _concrete(a: tuple[int, int], b: tuple[int, int]) -> str:
    [relation] = relate(exact("a", *a), exact("b", *b))
    return relation.relation


def _choices(bounds: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    s_lo, s_hi, e_lo, e_hi = bounds
    return [(s, e) for s in range(s_lo, s_hi + 1) for e in range(max(e_lo, s), e_hi + 1) if s <= e]


small_bounds = st.lists(st.integers(0, 7), min_size=4, max_size=4).map(
    lambda v: (min(v[0], v[1]), max(v[0], v[1]), min(v[2], v[3]), max(v[2], v[3]))
)


def _as_bounds(id_: str, b: tuple[int, int, int, int], uncertain: bool = False) -> Bounds:
    day = [BASE + dt.timedelta(x) for x in b]
    return Bounds(id_, day[0], day[1], day[2], day[3], uncertain)


@settings(max_examples=300)
@given(small_bounds, small_bounds)
def test_certain_and_possible_are_exact(
    a: tuple[int, int, int, int], b: tuple[int, int, int, int]
) -> None:
    """Against brute force: possible iff some admissible endpoints give it, certain iff all do."""
    choices_a, choices_b = _choices(a), _choices(b)
    status = relation_status(_as_bounds("a", a), _as_bounds("b", b))
    if not choices_a or not choices_b:
        assert set(status.values()) == {"impossible"}
        return
    seen = {_concrete(x, y) for x in choices_a for y in choices_b}
    assert {name for name, value in status.items() if value != "impossible"} == seen
    certain = {name for name, value in status.items() if value == "certain"}
    assert certain == (seen if len(seen) == 1 else set())
    flagged = relation_status(_as_bounds("a", a, uncertain=True), _as_bounds("b", b))
    assert "certain" not in flagged.values()
    assert {k for k, v in flagged.items() if v == "possible"} == seen


@given(small_bounds, small_bounds)
def test_inverse_symmetry_with_uncertain_bounds(
    a: tuple[int, int, int, int], b: tuple[int, int, int, int]
) -> None:
    forward = relate(_as_bounds("a", a), _as_bounds("b", b))
    backward = relate(_as_bounds("b", b), _as_bounds("a", a))
    assert {(allen_inverse(r.relation), r.certain) for r in forward} == {
        (r.relation, r.certain) for r in backward
    }


def _random_bounds(rng: random.Random, id_: str, span: int) -> Bounds:
    start = rng.randrange(span)
    kind = rng.random()
    if kind < 0.6:
        return exact(id_, start, start + rng.randrange(5))
    s_hi = start + rng.randrange(4)
    e_lo = start + rng.randrange(6)
    e_hi = max(e_lo, s_hi) + rng.randrange(4)
    day = [BASE + dt.timedelta(x) for x in (start, s_hi, e_lo, e_hi)]
    latest = None if kind > 0.95 else day[3]
    earliest = None if 0.9 < kind <= 0.95 else day[0]
    return Bounds(id_, earliest, day[1], day[2], latest, uncertain=rng.random() < 0.1)


def _closure(edges: set[tuple[str, str]]) -> set[tuple[str, str]]:
    succ: dict[str, set[str]] = {}
    for a, b in edges:
        succ.setdefault(a, set()).add(b)
    out: set[tuple[str, str]] = set()
    for start in succ:
        stack, seen = [start], set()
        while stack:
            for nxt in succ.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        out |= {(start, x) for x in seen}
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32), st.integers(2, 30), st.integers(5, 80))
def test_relate_all_matches_brute_force(seed: int, count: int, span: int) -> None:
    rng = random.Random(seed)
    events = [_random_bounds(rng, f"e{i}", span) for i in range(count)]
    emitted = list(relate_all(events))
    by_pair: dict[tuple[str, str], list[Relation]] = {}
    for r in emitted:
        by_pair.setdefault((r.source, r.target), []).append(r)
    certain_before: set[tuple[str, str]] = set()
    possible_before: set[tuple[str, str]] = set()
    others: set[tuple[str, str, str, bool]] = set()
    for pair, relations in by_pair.items():
        if [r.relation for r in relations] == ["intervalBefore"]:
            (certain_before if relations[0].certain else possible_before).add(pair)
        else:
            others |= {(r.source, r.target, r.relation, r.certain) for r in relations}
    assert len(emitted) == sum(len(v) for v in by_pair.values())
    expected_certain: set[tuple[str, str]] = set()
    expected_apart: set[tuple[str, str]] = set()
    expected_others: set[tuple[str, str, str, bool]] = set()
    for a, b in itertools.permutations(events, 2):
        relations = relate(a, b)
        if [r.relation for r in relations] == ["intervalBefore"]:
            expected_apart.add((a.id, b.id))
            if relations[0].certain:
                expected_certain.add((a.id, b.id))
    # Sound, and complete up to transitivity.
    assert certain_before <= expected_certain
    assert _closure(certain_before) == expected_certain
    assert possible_before <= expected_apart
    assert _closure(certain_before | possible_before) >= expected_apart
    # Every other pair (not apart) is related once, in one direction, exactly as `relate` says.
    for a, b in itertools.combinations(events, 2):
        if (a.id, b.id) in expected_apart or (b.id, a.id) in expected_apart:
            continue
        forward = {(r.source, r.target, r.relation, r.certain) for r in relate(a, b)}
        backward = {(r.source, r.target, r.relation, r.certain) for r in relate(b, a)}
        assert forward <= others or backward <= others
        expected_others |= forward if forward <= others else backward
    assert others == expected_others


def test_relate_all_is_linear_for_events_in_sequence() -> None:
    rng = random.Random(7)
    day, events = 0, []
    for i in range(2000):
        day += rng.randrange(2, 6)
        length = rng.randrange(0, 3)
        events.append(exact(f"e{i}", day, day + length))
        day += length
    rng.shuffle(events)
    started = time.monotonic()
    relations = list(relate_all(events))
    assert time.monotonic() - started < 5
    assert len(relations) == 1999  # the chain, not 2000 * 1999 / 2 pairs
    assert all(r.relation == "intervalBefore" and r.certain for r in relations)
    order = {e.id: (e.earliest or BASE) for e in events}
    assert all(order[r.source] < order[r.target] for r in relations)


def test_relate_all_with_some_overlaps_stays_linear() -> None:
    rng = random.Random(11)
    events = [
        exact(f"e{i}", 3 * i + rng.randrange(3), 3 * i + 3 + rng.randrange(3)) for i in range(2000)
    ]
    relations = list(relate_all(events))
    assert len(relations) < 6 * len(events)


def test_relate_all_with_pairs_relates_exactly_those() -> None:
    a, b, c = event("a", "2006-12-01"), event("b", "2006-12-11"), event("c", "2006~")
    relations = list(relate_all([a, b, c], pairs=[("b", "a"), ("a", "missing"), ("a", "b")]))
    assert relations == [
        Relation("b", "a", "intervalAfter", True),
        Relation("a", "b", "intervalBefore", True),
    ]
