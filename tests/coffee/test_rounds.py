"""The matcher (coffee.rounds.match_round), without a database: no repeats within the window,
everyone matched or carried over exactly once, trios only when needed, carried-over people
first next round, the same round reproducible."""

import datetime
import random
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from coffee.models import CarryOverReason
from coffee.rounds import Pair, match_round, met_pairs, round_random, spaces_for

JAN = datetime.date(2026, 1, 1)


def run(clinicians, managers, *, recent=(), carried=(), seed="x"):
    return match_round(
        clinicians=clinicians,
        managers=managers,
        recent=set(recent),
        carried=set(carried),
        rng=random.Random(seed),
    )


def assert_valid(matching, clinicians, managers, recent):
    everyone = sorted([*clinicians, *managers])
    # Each person taking part is in exactly one group, or carried over: never both, never twice.
    assert sorted(matching.people()) == everyone
    for group in matching.groups:
        assert 2 <= len(group) <= 3
        # Every group mixes the two: its first is a clinician, its second a manager.
        assert group[0] in clinicians and group[1] in managers
        assert not met_pairs([group]) & set(recent), f"{group} repeats a recent match"


def test_equal_sides_make_pairs_only():
    matching = run(range(1, 11), range(101, 111))
    assert len(matching.pairs) == 10 and not matching.trios and not matching.carried_over
    assert_valid(matching, set(range(1, 11)), set(range(101, 111)), ())


def test_an_extra_person_joins_a_pair_as_a_third():
    matching = run([1, 2, 3], [101, 102])
    assert len(matching.trios) == 1 and len(matching.pairs) == 1
    assert not matching.carried_over


def test_at_most_one_extra_per_match_and_the_rest_are_carried_over():
    matching = run([1, 2, 3, 4, 5], [101])
    [trio] = matching.trios
    assert len(trio) == 3
    assert len(matching.carried_over) == 3
    assert set(matching.carried_over.values()) == {CarryOverReason.UNEVEN}


def test_nobody_on_the_other_side_means_everyone_is_carried_over():
    matching = run([1, 2], [])
    assert matching.groups == []
    assert matching.carried_over == {1: CarryOverReason.UNEVEN, 2: CarryOverReason.UNEVEN}


def test_no_repeat_of_a_recent_match():
    recent = {frozenset((1, 101))}
    for seed in range(50):
        matching = run([1, 2], [101, 102], recent=recent, seed=seed)
        assert (1, 101) not in matching.groups
        assert sorted(matching.groups) == [(1, 102), (2, 101)]


def test_someone_everyone_has_met_recently_is_carried_over_and_told_why():
    recent = {frozenset((1, 101)), frozenset((1, 102))}
    matching = run([1, 2], [101, 102], recent=recent, seed=3)
    # 2 takes one manager; 1 has met both: no pair for 1. The spare manager has met 1 too,
    # and 1 cannot join 2's pair (they met its manager), so 1 and the spare are carried over.
    assert 1 in matching.carried_over
    assert matching.carried_over[1] == CarryOverReason.MET_RECENTLY
    assert_valid(matching, {1, 2}, {101, 102}, recent)


def test_carried_over_people_are_matched_first():
    """With one manager for five clinicians, the carried-over clinician always gets them."""
    for seed in range(30):
        matching = run([1, 2, 3, 4, 5], [101], carried={4}, seed=seed)
        assert matching.groups[0][:2] == (4, 101)


def test_a_carried_over_manager_is_offered_first():
    for seed in range(30):
        matching = run([1], [101, 102, 103], carried={103}, seed=seed)
        assert matching.groups[0][1] == 103


def test_the_same_round_gives_the_same_matches():
    first = match_round(
        clinicians=range(200), managers=range(1000, 1150), recent=set(), carried=set(),
        rng=round_random(7, JAN),
    )  # fmt: skip
    again = match_round(
        clinicians=list(reversed(range(200))), managers=range(1000, 1150), recent=set(),
        carried=set(), rng=round_random(7, JAN),
    )  # fmt: skip
    other_month = match_round(
        clinicians=range(200), managers=range(1000, 1150), recent=set(), carried=set(),
        rng=round_random(7, datetime.date(2026, 2, 1)),
    )  # fmt: skip
    assert first.groups == again.groups  # the order ids come in does not matter
    assert first.groups != other_month.groups


def test_someone_on_both_sides_is_refused():
    import pytest

    with pytest.raises(ValueError):
        run([1, 2], [2, 3])


def test_spaces_are_dealt_in_turn():
    dealt = spaces_for(7, [10, 20, 30], random.Random(1))
    assert sorted(dealt.count(space) for space in (10, 20, 30)) == [2, 2, 3]
    assert spaces_for(2, [], random.Random(1)) == [None, None]


def test_five_thousand_people_are_matched_quickly():
    clinicians, managers = range(3000), range(10_000, 12_000)
    rng = random.Random(5)
    recent: set[Pair] = set()
    for _ in range(3):  # three earlier rounds' pairs in the window
        c, m = list(clinicians), list(managers)
        rng.shuffle(c)
        recent |= {frozenset(p) for p in zip(c, m, strict=False)}
    started = time.perf_counter()
    matching = run(clinicians, managers, recent=recent)
    elapsed = time.perf_counter() - started
    assert_valid(matching, set(clinicians), set(managers), recent)
    assert len(matching.pairs) + len(matching.trios) == 2000
    assert elapsed < 1.0, f"{elapsed:.2f}s"


# --- properties over several consecutive rounds -----------------------------------------------


@st.composite
def trusts(draw):
    clinicians = draw(st.integers(min_value=0, max_value=30))
    managers = draw(st.integers(min_value=0, max_value=30))
    window = draw(st.integers(min_value=0, max_value=4))
    rounds = draw(st.integers(min_value=1, max_value=8))
    # Who opts out before each round (by index), and the seed of each round.
    outs = draw(
        st.lists(
            st.sets(st.integers(min_value=0, max_value=59), max_size=6),
            min_size=rounds,
            max_size=rounds,
        )
    )
    return clinicians, managers, window, outs, draw(st.integers(0, 2**32))


@settings(max_examples=150, deadline=None)
@given(trusts())
def test_consecutive_rounds_never_repeat_within_the_window(trust):
    n_clinicians, n_managers, window, outs, seed = trust
    all_clinicians = list(range(n_clinicians))
    all_managers = list(range(100, 100 + n_managers))
    history: list[list[tuple[int, ...]]] = []
    carried: set[int] = set()
    for number, opted_out in enumerate(outs):
        everyone = all_clinicians + all_managers
        out = {everyone[i] for i in opted_out if i < len(everyone)}
        clinicians = [c for c in all_clinicians if c not in out]
        managers = [m for m in all_managers if m not in out]
        recent = met_pairs(g for groups in history[-window:] if window for g in groups)
        matching = match_round(
            clinicians=clinicians,
            managers=managers,
            recent=recent,
            carried=carried & set(clinicians + managers),
            rng=round_random(seed, JAN + datetime.timedelta(days=number)),
        )
        assert_valid(matching, set(clinicians), set(managers), recent)
        # Opted-out people never appear.
        assert not set(matching.people()) & out
        # Trios only when needed: a third, or someone carried over, is left without a pair
        # only when no clinician and manager left over could have made one (they met lately).
        left = [group[2] for group in matching.trios] + list(matching.carried_over)
        left_c = [p for p in left if p in set(clinicians)]
        left_m = [p for p in left if p in set(managers)]
        assert all(frozenset((c, m)) in recent for c in left_c for m in left_m)
        assert len(matching.trios) <= abs(len(clinicians) - len(managers)) or recent
        history.append(matching.groups)
        carried = set(matching.carried_over)
