"""The pairing matcher (pairing/matching.py): a pure function, so no database here.

Examples first, then properties checked with Hypothesis against independent references: a
plain-Python scoring of one pair, SciPy's maximum bipartite matching for the number of pairs,
and (up to 5 a side) a brute force over every matching for the best total preference.
"""

import ast
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from pairing import matching
from pairing.matching import Candidate, SuggestedPair, Suggestion, Unmatched, suggest_pairs


def clinician(id, directorate="", *interests):
    return Candidate(id=id, directorate=directorate, interests=frozenset(interests))


manager = clinician  # the same shape; which side is decided by the list it is passed in


def pair_ids(suggestion):
    return [(p.clinician_id, p.manager_id) for p in suggestion.pairs]


def reasons(suggestion):
    return {(u.side, u.person_id): u.reason for u in suggestion.unmatched}


# --- Preferences ---------------------------------------------------------------------------


def test_a_different_directorate_is_preferred():
    result = suggest_pairs(
        [clinician(1, "Surgery")], [manager(10, "Surgery"), manager(11, "Medicine")]
    )
    assert result.pairs == (
        SuggestedPair(
            clinician_id=1,
            manager_id=11,
            score=2.0,
            different_directorate=True,
            shared_interests=(),
        ),
    )


def test_the_best_total_wins_over_the_best_first_pair():
    # Greedy would take 1-10 (different directorates + "a" = 3), leaving 2-11 (both Theatres,
    # 0): 3 in all. 1-11 and 2-10 are 2 + 2 = 4.
    result = suggest_pairs(
        [clinician(1, "Surgery", "a"), clinician(2, "Theatres")],
        [manager(10, "Medicine", "a"), manager(11, "Theatres")],
    )
    assert pair_ids(result) == [(1, 11), (2, 10)]
    assert [p.score for p in result.pairs] == [2.0, 2.0]


def test_shared_interests_are_preferred_compared_trimmed_and_in_any_case():
    result = suggest_pairs(
        [clinician(1, "Surgery", " Quality  Improvement ", "Teaching")],
        [manager(10, "surgery", "quality improvement", "TEACHING"), manager(11, "Surgery")],
    )
    [pair] = result.pairs
    assert (pair.manager_id, pair.score, pair.different_directorate) == (10, 2.0, False)
    assert pair.shared_interests == ("quality improvement", "teaching")


def test_a_different_directorate_beats_one_shared_interest_and_loses_to_three():
    one = suggest_pairs(
        [clinician(1, "Surgery", "Research")],
        [manager(10, "Surgery", "research"), manager(11, "Medicine")],
    )
    assert pair_ids(one) == [(1, 11)]
    three = suggest_pairs(
        [clinician(1, "Surgery", "a", "b", "c")],
        [manager(10, "Surgery", "a", "b", "c"), manager(11, "Medicine")],
    )
    assert pair_ids(three) == [(1, 10)]


def test_shared_interests_count_at_most_three_but_all_are_listed():
    [pair] = suggest_pairs(
        [clinician(1, "Surgery", "a", "b", "c", "d")], [manager(10, "Medicine", "a", "b", "c", "d")]
    ).pairs
    assert pair.score == 2 + 3
    assert pair.shared_interests == ("a", "b", "c", "d")


def test_a_directorate_not_stated_is_never_different():
    [pair] = suggest_pairs([clinician(1, "")], [manager(10, "Surgery")]).pairs
    assert (pair.score, pair.different_directorate) == (0.0, False)
    [pair] = suggest_pairs([clinician(1, "  ")], [manager(10, "")]).pairs
    assert (pair.score, pair.different_directorate) == (0.0, False)


# --- Constraints ---------------------------------------------------------------------------


def test_a_forbidden_pair_is_never_suggested_however_good():
    result = suggest_pairs(
        [clinician(1, "Surgery", "a", "b", "c")],
        [manager(10, "Medicine", "a", "b", "c"), manager(11, "Surgery")],
        forbidden=[(1, 10)],
    )
    assert pair_ids(result) == [(1, 11)]


def test_a_forbidden_pair_given_the_other_way_round_is_honoured_too():
    result = suggest_pairs([clinician(1)], [manager(10), manager(11)], forbidden=[(10, 1)])
    assert pair_ids(result) == [(1, 11)]


def test_more_pairs_beat_better_pairs():
    # 1-10 would score 5, but then 2 (who may only have 10) is left out: 1-11 and 2-10 instead.
    result = suggest_pairs(
        [clinician(1, "Surgery", "a", "b", "c"), clinician(2, "Surgery")],
        [manager(10, "Medicine", "a", "b", "c"), manager(11, "Surgery")],
        forbidden=[(2, 11)],
    )
    assert pair_ids(result) == [(1, 11), (2, 10)]
    assert result.unmatched == ()


def test_three_pairs_scoring_nothing_beat_two_scoring_the_most():
    # 1-10 and 2-11 score 5 each, but leave 3 (who may only have 10) and 12 out. The only way
    # to pair all three, 1-11, 2-12 and 3-10, scores 0: the number of pairs must still win.
    result = suggest_pairs(
        [
            clinician(1, "Surgery", "a", "b", "c"),
            clinician(2, "Theatres", "d", "e", "f"),
            clinician(3, "Medicine"),
        ],
        [
            manager(10, "Medicine", "a", "b", "c"),
            manager(11, "Surgery", "d", "e", "f"),
            manager(12, "Theatres"),
        ],
        forbidden=[(1, 12), (2, 10), (3, 11), (3, 12)],
    )
    assert pair_ids(result) == [(1, 11), (2, 12), (3, 10)]
    assert [p.score for p in result.pairs] == [0.0, 0.0, 0.0]


def test_existing_pairs_are_kept_and_their_people_not_matched_again():
    result = suggest_pairs(
        [clinician(1, "Surgery"), clinician(2, "Surgery")],
        [manager(10, "Medicine"), manager(11, "Surgery")],
        # 1-10 would be the better pair, but 2 is already paired with 10; 50-60 are people
        # not in the lists (paired in an earlier round), kept all the same.
        existing=[(2, 10), (50, 60), (2, 10)],
    )
    assert result.kept == ((2, 10), (50, 60))
    assert pair_ids(result) == [(1, 11)]
    assert result.unmatched == ()


# --- Who is left unpaired, and why -------------------------------------------------------------


def test_more_clinicians_than_managers():
    result = suggest_pairs([clinician(i) for i in (1, 2, 3)], [manager(10), manager(11)])
    assert len(result.pairs) == 2
    [left] = result.unmatched
    assert left.side == "clinician"
    assert left.reason == (
        "More clinicians than managers: 3 clinicians and 2 managers were available, "
        "so 1 clinician could not be paired"
    )


def test_more_managers_than_clinicians_counts_only_people_free_to_pair():
    result = suggest_pairs(
        [clinician(1), clinician(2)],
        [manager(10), manager(11), manager(12), manager(13)],
        existing=[(2, 13)],
    )
    assert reasons(result) == {
        ("manager", 11): "More managers than clinicians: 1 clinician and 3 managers were "
        "available, so 2 managers could not be paired",
        ("manager", 12): "More managers than clinicians: 1 clinician and 3 managers were "
        "available, so 2 managers could not be paired",
    }


def test_everyone_on_the_do_not_pair_list():
    result = suggest_pairs(
        [clinician(1), clinician(2)], [manager(10), manager(11)], forbidden=[(1, 10), (1, 11)]
    )
    assert reasons(result)[("clinician", 1)] == (
        "Every available manager is on this clinician's do-not-pair list"
    )
    # Manager 10 or 11 is left over too: the only clinician free for them is 2, who is taken.
    [left_over] = [u for u in result.unmatched if u.side == "manager"]
    assert left_over.reason == (
        "The clinicians they may be paired with are all paired with others, and pairing them "
        "instead would leave someone else unpaired"
    )


def test_the_only_available_manager_on_the_do_not_pair_list():
    result = suggest_pairs(
        [clinician(1)], [manager(10), manager(11)], forbidden=[(1, 10)], existing=[(5, 11)]
    )
    assert reasons(result) == {
        ("clinician", 1): "The only available manager is on this clinician's do-not-pair list",
        ("manager", 10): "The only available clinician is on this manager's do-not-pair list",
    }


def test_partners_all_taken_by_others():
    # 1 and 2 may both only have manager 10; manager 11 may not have either.
    result = suggest_pairs(
        [clinician(1, "Surgery"), clinician(2, "Medicine")],
        [manager(10, "Medicine"), manager(11)],
        forbidden=[(1, 11), (2, 11)],
    )
    assert pair_ids(result) == [(1, 10)]  # the pair from different directorates
    assert reasons(result) == {
        ("clinician", 2): "The managers they may be paired with are all paired with others, "
        "and pairing them instead would leave someone else unpaired",
        ("manager", 11): "Every available clinician is on this manager's do-not-pair list",
    }


def test_more_clinicians_than_managers_is_not_the_reason_when_a_manager_is_left_too():
    # Manager 11 may have nobody, so only one pair can be made, not two.
    result = suggest_pairs(
        [clinician(1), clinician(2), clinician(3)],
        [manager(10), manager(11)],
        forbidden=[(1, 11), (2, 11), (3, 11)],
    )
    assert len(result.pairs) == 1
    assert sorted(set(reasons(result).values())) == [
        "Every available clinician is on this manager's do-not-pair list",
        "The managers they may be paired with are all paired with others, and pairing them "
        "instead would leave someone else unpaired",
    ]


def test_empty_sides():
    assert suggest_pairs([], []) == Suggestion(pairs=(), kept=(), unmatched=())
    assert suggest_pairs([clinician(1)], []).unmatched == (
        Unmatched(1, "clinician", "There are no managers to pair with"),
    )
    assert suggest_pairs([], [manager(10)]).unmatched == (
        Unmatched(10, "manager", "There are no clinicians to pair with"),
    )
    everyone_paired = suggest_pairs([clinician(1), clinician(2)], [manager(10)], existing=[(2, 10)])
    assert everyone_paired.unmatched == (
        Unmatched(1, "clinician", "Every manager is already in a pair"),
    )
    assert suggest_pairs([], [], existing=[(1, 10)]).kept == ((1, 10),)


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clinicians", "managers", "existing", "message"),
    [
        ([clinician(1), clinician(1)], [], (), r"clinician ids given more than once: \[1\]"),
        ([], [manager(9), manager(9)], (), r"manager ids given more than once: \[9\]"),
        ([clinician(1)], [manager(1)], (), r"ids on both sides .*: \[1\]"),
        ([clinician(1)], [manager(10)], [(10, 1)], r"existing pair \(10, 1\) is the wrong way"),
        ([], [], [(1, 10), (1, 11)], r"clinician 1 is in more than one existing pair"),
        ([], [], [(1, 10), (2, 10)], r"manager 10 is in more than one existing pair"),
        ([], [], [(1, 10), (10, 2)], r"ids on both sides of the existing pairs: \[10\]"),
    ],
)
def test_inconsistent_input_is_refused(clinicians, managers, existing, message):
    with pytest.raises(ValueError, match=message):
        suggest_pairs(clinicians, managers, existing=existing)


def test_interests_must_not_be_one_string():
    with pytest.raises(TypeError, match="not one string"):
        Candidate(id=1, interests="teaching")
    assert Candidate(id=1, interests=["a", "b"]).interests == frozenset({"a", "b"})


# --- Purity ----------------------------------------------------------------------------------


def test_the_matcher_imports_only_the_standard_library_numpy_and_scipy():
    tree = ast.parse(Path(matching.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):  # lazy imports inside functions count too
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports: nothing from the project"
            imported.add(node.module.split(".")[0])
    assert "scipy" in imported  # the walk does see the function-level import
    allowed = set(sys.stdlib_module_names) | {"numpy", "scipy"}
    assert imported <= allowed, f"imports beyond stdlib/numpy/scipy: {imported - allowed}"


# --- Properties ----------------------------------------------------------------------------------
#
# References written the slow, obvious way, to check the vectorised module against.

DIRECTORATES = ["", " ", "Surgery", " surgery ", "Medicine", "MEDICINE", "Theatres"]
INTERESTS = ["Teaching", " teaching", "Research", "Quality Improvement", "quality  improvement",
             "Leadership", "Rota design"]  # fmt: skip


def reference_score(c: Candidate, m: Candidate) -> tuple[int, bool, tuple[str, ...]]:
    def norm(text):
        return " ".join(text.split()).lower()

    dc, dm = norm(c.directorate), norm(m.directorate)
    different = bool(dc and dm and dc != dm)
    shared = tuple(sorted({norm(i) for i in c.interests} & {norm(i) for i in m.interests} - {""}))
    return 2 * different + min(len(shared), 3), different, shared


def is_forbidden(c_id, m_id, forbidden):
    return (c_id, m_id) in forbidden or (m_id, c_id) in forbidden


def best_by_brute_force(free_c, free_m, forbidden) -> tuple[int, int]:
    """(most pairs, then most total preference) over every matching, by enumeration."""
    scores = {(c.id, m.id): reference_score(c, m)[0] for c in free_c for m in free_m}

    def best(i, used):
        if i == len(free_c):
            return (0, 0)
        options = [best(i + 1, used)]  # free_c[i] left unpaired
        for m in free_m:
            if m.id not in used and not is_forbidden(free_c[i].id, m.id, forbidden):
                size, score = best(i + 1, used | {m.id})
                options.append((size + 1, score + scores[(free_c[i].id, m.id)]))
        return max(options)

    return best(0, frozenset())


def maximum_pairs(free_c, free_m, forbidden) -> int:
    if not free_c or not free_m:
        return 0
    graph = np.array(
        [[not is_forbidden(c.id, m.id, forbidden) for m in free_m] for c in free_c], dtype=int
    )
    return int((maximum_bipartite_matching(csr_matrix(graph), perm_type="column") >= 0).sum())


@st.composite
def candidates(draw, ids):
    return [
        Candidate(
            id=i,
            directorate=draw(st.sampled_from(DIRECTORATES)),
            interests=draw(st.frozensets(st.sampled_from(INTERESTS), max_size=4)),
        )
        for i in ids
    ]


@st.composite
def cases(draw, max_side):
    """A cohort: clinicians, managers, do-not-pair lists and existing pairs, any of them empty.

    Forbidden pairs come either way round and may name people not in the lists; existing pairs
    pair some listed people and some who are not listed (ids from 1000 up)."""
    ids = draw(st.lists(st.integers(1, 99), unique=True, max_size=2 * max_side))
    split = draw(st.integers(max(0, len(ids) - max_side), min(len(ids), max_side)))
    clinicians = draw(candidates(ids[:split]))
    managers = draw(candidates(ids[split:]))
    every_pair = [(c.id, m.id) for c in clinicians for m in managers]
    density = draw(st.integers(0, 10))  # from no do-not-pair lists to everyone on them
    forbidden = [pair for pair in every_pair if draw(st.integers(0, 9)) < density]
    forbidden = [(m, c) if draw(st.booleans()) else (c, m) for c, m in forbidden]
    forbidden += draw(st.lists(st.tuples(st.integers(1, 120), st.integers(1, 120)), max_size=3))
    paired_c = draw(st.lists(st.sampled_from(clinicians), unique=True)) if clinicians else []
    paired_m = draw(st.permutations(managers))[: len(paired_c)]
    existing = [(c.id, m.id) for c, m in zip(paired_c, paired_m, strict=False)]
    existing += [(1000 + k, 2000 + k) for k in range(draw(st.integers(0, 2)))]
    return clinicians, managers, forbidden, existing


def check_invariants(clinicians, managers, forbidden, existing, result):
    kept = set(existing)
    assert result.kept == tuple(sorted(kept))
    in_kept = {c for c, _ in kept} | {m for _, m in kept}
    free_c = [c for c in sorted(clinicians, key=lambda p: p.id) if c.id not in in_kept]
    free_m = [m for m in sorted(managers, key=lambda p: p.id) if m.id not in in_kept]
    by_id = {p.id: p for p in clinicians + managers}

    # Forbidden pairs never suggested; suggested people are free people of the right side.
    for p in result.pairs:
        assert not is_forbidden(p.clinician_id, p.manager_id, set(forbidden))
        assert p.clinician_id in {c.id for c in free_c}
        assert p.manager_id in {m.id for m in free_m}
        score, different, shared = reference_score(by_id[p.clinician_id], by_id[p.manager_id])
        assert (p.score, p.different_directorate, p.shared_interests) == (score, different, shared)

    # Each person at most once, in a suggested pair, an existing one, or the unmatched list;
    # and every free person is in exactly one of the suggested pairs or the unmatched list.
    everyone = [p.clinician_id for p in result.pairs] + [p.manager_id for p in result.pairs]
    everyone += [u.person_id for u in result.unmatched]
    assert len(everyone) == len(set(everyone))
    assert not set(everyone) & in_kept
    assert set(everyone) == {p.id for p in free_c + free_m}
    for u in result.unmatched:
        assert u.side == ("clinician" if u.person_id in {c.id for c in free_c} else "manager")

    # Sorted as documented.
    assert list(result.pairs) == sorted(result.pairs, key=lambda p: p.clinician_id)
    assert list(result.unmatched) == sorted(result.unmatched, key=lambda u: (u.side, u.person_id))

    # As many pairs as the do-not-pair lists allow.
    assert len(result.pairs) == maximum_pairs(free_c, free_m, set(forbidden))

    # Each reason is true of the person it is given for.
    matched = {p.clinician_id for p in result.pairs} | {p.manager_id for p in result.pairs}
    for u in result.unmatched:
        others = free_m if u.side == "clinician" else free_c
        may_have = [o for o in others if not is_forbidden(u.person_id, o.id, set(forbidden))]
        if "do-not-pair list" in u.reason:
            assert others and not may_have
        elif u.reason.startswith("More "):
            assert may_have and all(o.id in matched for o in others)
        elif u.reason.startswith("The "):
            assert may_have and all(o.id in matched for o in may_have)
        else:
            assert not others, u.reason
    return free_c, free_m


@settings(max_examples=200, deadline=None)
@given(cases(max_side=5))
def test_small_cases_are_the_best_matching_found_by_brute_force(case):
    clinicians, managers, forbidden, existing = case
    result = suggest_pairs(clinicians, managers, forbidden=forbidden, existing=existing)
    free_c, free_m = check_invariants(clinicians, managers, forbidden, existing, result)
    best = best_by_brute_force(free_c, free_m, set(forbidden))
    assert (len(result.pairs), sum(p.score for p in result.pairs)) == best


@settings(max_examples=150, deadline=None)
@given(cases(max_side=14))
def test_constraints_always_hold(case):
    clinicians, managers, forbidden, existing = case
    result = suggest_pairs(clinicians, managers, forbidden=forbidden, existing=existing)
    check_invariants(clinicians, managers, forbidden, existing, result)


@settings(max_examples=100, deadline=None)
@given(cases(max_side=10), st.randoms(use_true_random=False))
def test_the_same_input_in_any_order_gives_the_same_suggestion(case, rnd: random.Random):
    clinicians, managers, forbidden, existing = case
    first = suggest_pairs(clinicians, managers, forbidden=forbidden, existing=existing)
    for shuffled in (clinicians, managers, forbidden, existing):
        rnd.shuffle(shuffled)
    again = suggest_pairs(clinicians, managers, forbidden=iter(forbidden), existing=iter(existing))
    assert again == first
