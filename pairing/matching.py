"""The pairing matcher: suggested clinician-manager pairs for a cohort or scheme.

A pure function of its input (no Django, no database; stdlib, NumPy and SciPy only), so the
service that loads a cohort's people and saves the suggestions can be tested apart from it.

What it does, in order of priority:

1. **Honours what is already decided.** People in ``existing`` pairs are kept as they are
   (returned in ``Suggestion.kept``) and never re-matched. A ``forbidden`` (do-not-pair) pair
   never appears among the suggestions; because ids are unique across the two sides, a
   forbidden pair given the other way round, ``(manager_id, clinician_id)``, is honoured too.
   (An existing pair that is also forbidden is still kept: the matcher suggests new pairs, it
   does not dissolve old ones; the caller may want to warn about it.)
2. **Pairs as many people as possible** (maximum cardinality, given the forbidden pairs).
3. **Among those matchings, maximises the total preference**, where one pair's preference is

   - **2** if the two have *different directorates* (both stated, and not the same), plus
   - **1 for each shared stated interest, counting at most 3** (``MAX_SHARED_INTERESTS``).

   So a pair from different directorates is worth more than one shared interest, the same as
   two, and less than three; a pair scores 0 to 5. Directorates and interests are compared
   trimmed, with runs of spaces collapsed and case ignored (" Medical  Education" is
   "medical education"); an empty directorate is "not stated" and never counts as different.
4. **Is deterministic**: the people are sorted by id before anything else, so the same input in
   any order gives the same output.

Everyone left unpaired is listed with a reason an administrator can act on (see ``_reason``).

How: one weight matrix, clinicians x managers, built with array operations (interests as a 0-1
people x vocabulary matrix, shared counts as one matrix product; directorates as integer codes
compared by broadcasting; forbidden cells set by fancy indexing), then
``scipy.optimize.linear_sum_assignment`` on it. See ``_weights`` for why one assignment gives
both the maximum cardinality and, among those, the maximum preference.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

DIFFERENT_DIRECTORATE = 2
SHARED_INTEREST = 1
MAX_SHARED_INTERESTS = 3
MAX_PREFERENCE = DIFFERENT_DIRECTORATE + SHARED_INTEREST * MAX_SHARED_INTERESTS

CLINICIAN = "clinician"
MANAGER = "manager"


@dataclass(frozen=True)
class Candidate:
    id: int
    directorate: str = ""  # "" = not stated; compared case-insensitively, trimmed
    interests: frozenset[str] = frozenset()  # compared case-insensitively, trimmed

    def __post_init__(self):
        # A bare string would otherwise be taken as a set of one-letter interests.
        if isinstance(self.interests, str):
            raise TypeError(
                f"Candidate {self.id}: interests must be a collection of strings, not one string"
            )
        if not isinstance(self.interests, frozenset):
            object.__setattr__(self, "interests", frozenset(self.interests))


@dataclass(frozen=True)
class SuggestedPair:
    clinician_id: int
    manager_id: int
    score: float  # the preference weight (0-5), not the cardinality constant
    different_directorate: bool
    shared_interests: tuple[str, ...]  # every shared interest (not capped), sorted, lower-case


@dataclass(frozen=True)
class Unmatched:
    person_id: int
    side: str  # "clinician" or "manager"
    reason: str  # plain English a programme administrator can act on


@dataclass(frozen=True)
class Suggestion:
    pairs: tuple[SuggestedPair, ...]  # new suggestions, sorted by clinician_id
    kept: tuple[tuple[int, int], ...]  # existing pairs, (clinician, manager), sorted, no repeats
    unmatched: tuple[Unmatched, ...]  # sorted by (side, person_id)


def normalise(text: str) -> str:
    """How directorates and interests are compared: trimmed, spaces collapsed, lower-case."""
    return " ".join(text.split()).lower()


def suggest_pairs(
    clinicians: Sequence[Candidate],
    managers: Sequence[Candidate],
    *,
    forbidden: Iterable[tuple[int, int]] = (),
    existing: Iterable[tuple[int, int]] = (),
) -> Suggestion:
    """Suggest new clinician-manager pairs (see the module docstring for the rules).

    Raises ValueError if an id appears twice on one side, on both sides, or a person is in two
    different existing pairs.
    """
    clinicians = sorted(clinicians, key=lambda c: c.id)
    managers = sorted(managers, key=lambda m: m.id)
    _check_unique(clinicians, CLINICIAN)
    _check_unique(managers, MANAGER)
    clinician_ids = {c.id for c in clinicians}
    manager_ids = {m.id for m in managers}
    both = sorted(clinician_ids & manager_ids)
    if both:
        raise ValueError(f"ids on both sides (a clinician and a manager): {both}")

    kept = _check_existing(existing, clinician_ids, manager_ids)
    kept_clinicians = {c for c, _ in kept}
    kept_managers = {m for _, m in kept}
    free_c = [c for c in clinicians if c.id not in kept_clinicians]
    free_m = [m for m in managers if m.id not in kept_managers]

    interests_c = [_interests(c) for c in free_c]
    interests_m = [_interests(m) for m in free_m]
    allowed = _allowed(free_c, free_m, forbidden)
    preference, different = _preferences(free_c, free_m, interests_c, interests_m)
    rows, cols = _assign(_weights(preference, allowed))
    # Forbidden cells are only where the rectangular assignment had nowhere better to go.
    use = allowed[rows, cols]
    rows, cols = rows[use], cols[use]

    pairs = tuple(
        SuggestedPair(
            clinician_id=free_c[i].id,
            manager_id=free_m[j].id,
            score=float(preference[i, j]),
            different_directorate=bool(different[i, j]),
            shared_interests=tuple(sorted(interests_c[i] & interests_m[j])),
        )
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
    )

    sides = _Sides(
        clinicians=len(free_c),
        managers=len(free_m),
        any_clinicians=bool(clinicians or kept_clinicians),
        any_managers=bool(managers or kept_managers),
    )
    matched_c = np.zeros(len(free_c), dtype=bool)
    matched_c[rows] = True
    matched_m = np.zeros(len(free_m), dtype=bool)
    matched_m[cols] = True
    unmatched = [
        Unmatched(free_c[i].id, CLINICIAN, _reason(CLINICIAN, allowed[i], matched_m, sides))
        for i in np.flatnonzero(~matched_c).tolist()
    ] + [
        Unmatched(free_m[j].id, MANAGER, _reason(MANAGER, allowed[:, j], matched_c, sides))
        for j in np.flatnonzero(~matched_m).tolist()
    ]
    unmatched.sort(key=lambda u: (u.side, u.person_id))
    return Suggestion(pairs=pairs, kept=kept, unmatched=tuple(unmatched))


# --- Input checks --------------------------------------------------------------------------


def _check_unique(people: list[Candidate], side: str) -> None:
    ids = [p.id for p in people]  # sorted, so repeats are neighbours
    repeated = sorted({a for a, b in itertools.pairwise(ids) if a == b})
    if repeated:
        raise ValueError(f"{side} ids given more than once: {repeated}")


def _check_existing(existing, clinician_ids, manager_ids) -> tuple[tuple[int, int], ...]:
    """The existing pairs, without repeats, sorted; each person in one pair at most."""
    kept = sorted({(c, m) for c, m in existing})
    paired: dict[tuple[str, int], tuple[int, int]] = {}
    for pair in kept:
        c, m = pair
        if c in manager_ids or m in clinician_ids:
            raise ValueError(
                f"existing pair {pair} is the wrong way round for the people given: pairs are "
                "(clinician_id, manager_id)"
            )
        for key in ((CLINICIAN, c), (MANAGER, m)):
            if key in paired:
                raise ValueError(
                    f"{key[0]} {key[1]} is in more than one existing pair: {paired[key]} and {pair}"
                )
            paired[key] = pair
    both = sorted({c for c, _ in kept} & {m for _, m in kept})
    if both:
        raise ValueError(f"ids on both sides of the existing pairs: {both}")
    return tuple(kept)


# --- The weights -----------------------------------------------------------------------------


def _interests(person: Candidate) -> set[str]:
    return {n for n in map(normalise, person.interests) if n}


def _allowed(free_c, free_m, forbidden) -> np.ndarray:
    """Boolean clinicians x managers: True where the pair is not forbidden (either way round).

    Forbidden pairs naming anyone not free to pair are ignored."""
    allowed = np.ones((len(free_c), len(free_m)), dtype=bool)
    given = np.array([(a, b) for a, b in forbidden], dtype=np.int64).reshape(-1, 2)
    c_ids = np.array([c.id for c in free_c], dtype=np.int64)  # ascending: free_c is sorted
    m_ids = np.array([m.id for m in free_m], dtype=np.int64)
    for c, m in ((given[:, 0], given[:, 1]), (given[:, 1], given[:, 0])):
        i, c_found = _positions(c_ids, c)
        j, m_found = _positions(m_ids, m)
        found = c_found & m_found
        allowed[i[found], j[found]] = False
    return allowed


def _positions(ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(where each of ``wanted`` is in the ascending ``ids``, whether it is there at all)."""
    at = np.minimum(np.searchsorted(ids, wanted), max(len(ids) - 1, 0))
    found = ids[at] == wanted if len(ids) else np.zeros(len(wanted), dtype=bool)
    return at, found


def _preferences(free_c, free_m, interests_c, interests_m) -> tuple[np.ndarray, np.ndarray]:
    """(preference, different_directorate), both clinicians x managers. The preferences are
    small integers, held as float32 (exact up to 2**24)."""
    names = sorted({normalise(p.directorate) for p in (*free_c, *free_m)} - {""})
    code = {name: k for k, name in enumerate(names)}
    code[""] = -1  # not stated
    dc = np.array([code[normalise(c.directorate)] for c in free_c], dtype=np.int32)
    dm = np.array([code[normalise(m.directorate)] for m in free_m], dtype=np.int32)
    different = (dc[:, None] != dm[None, :]) & (dc[:, None] >= 0) & (dm[None, :] >= 0)

    # Only a clinician's interests can be shared: a manager's others are left out.
    vocabulary = {word: k for k, word in enumerate(sorted(set().union(*interests_c)))}
    # float32 so the product goes through BLAS; each count of shared interests is a sum of
    # 1.0s no longer than the vocabulary, exact in float32.
    shared = _incidence(interests_c, vocabulary) @ _incidence(interests_m, vocabulary).T
    preference = np.minimum(shared, MAX_SHARED_INTERESTS)
    preference *= SHARED_INTEREST
    preference[different] += DIFFERENT_DIRECTORATE
    return preference, different


def _incidence(interests: list[set[str]], vocabulary: dict[str, int]) -> np.ndarray:
    """People x vocabulary, 1.0 where the person stated that interest (others are ignored)."""
    matrix = np.zeros((len(interests), len(vocabulary)), dtype=np.float32)
    cells = [
        (i, vocabulary[w]) for i, words in enumerate(interests) for w in words if w in vocabulary
    ]
    if cells:
        i, j = np.array(cells).T
        matrix[i, j] = 1.0
    return matrix


def _weights(preference: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """The assignment's weights: ``BIG + preference`` on allowed cells, 0 on forbidden ones.

    Why one maximum-weight assignment is the matching we want. Let ``n`` be the smaller side
    and ``BIG = MAX_PREFERENCE * n + 1``. Weigh a matching (a set of allowed cells, no person
    twice) as ``BIG * size + preference``.

    * Size comes first. If matching A has more pairs than B, ``size(A) >= size(B) + 1``, and
      B's preference is at most ``MAX_PREFERENCE * size(B) <= MAX_PREFERENCE * n < BIG``, so
      ``w(A) >= BIG * size(B) + BIG > BIG * size(B) + preference(B) = w(B)``. Among matchings
      of the same size, the weight orders them by preference alone.
    * The assignment finds the best matching. A rectangular assignment gives each person of
      the smaller side a partner, perhaps on forbidden cells, which weigh 0: its weight is the
      weight of its allowed cells, which form a matching. Conversely any matching extends to
      an assignment (give the rest any free partners) weighing at least as much, as no cell
      weighs less than 0. So the best assignment's allowed cells are a best matching: as many
      pairs as possible, then the most preference. Dropping its forbidden cells keeps both.

    The weights are integers below 2**53 (at most ``n * (BIG + MAX_PREFERENCE)``, about
    2 * 10**7 for 2,000 a side), so the float64 sums inside linear_sum_assignment are exact.
    """
    big = MAX_PREFERENCE * min(preference.shape) + 1
    weights = np.add(preference, big, dtype=np.float64)
    weights *= allowed
    return weights


def _assign(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of the maximum-weight assignment, rows ascending."""
    if weights.size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    # Imported here, not at the top: importing SciPy takes about a second, which every process
    # that imports this module (each web worker, each manage.py command) would otherwise pay.
    from scipy.optimize import linear_sum_assignment

    return linear_sum_assignment(weights, maximize=True)


# --- Why someone is left unpaired --------------------------------------------------------------


@dataclass(frozen=True)
class _Sides:
    clinicians: int  # free to pair (not in an existing pair)
    managers: int
    any_clinicians: bool  # any at all, free or already paired
    any_managers: bool

    def free(self, side: str) -> int:
        return self.clinicians if side == CLINICIAN else self.managers


def _count(n: int, side: str) -> str:
    return f"{n} {side}" if n == 1 else f"{n} {side}s"


def _reason(side: str, allowed: np.ndarray, matched_other: np.ndarray, sides: _Sides) -> str:
    """Why one person was left unpaired, given which people of the other side they may be
    paired with (``allowed``) and which of those were paired (``matched_other``).

    The matching has the most pairs possible, so anyone left unpaired has no unpaired partner
    they may be paired with (or adding that pair would give one more): every partner allowed
    to them is paired with someone else, and taking one away would leave that person unpaired.
    """
    other = MANAGER if side == CLINICIAN else CLINICIAN
    if sides.free(other) == 0:
        any_other = sides.any_managers if side == CLINICIAN else sides.any_clinicians
        if any_other:
            return f"Every {other} is already in a pair"
        return f"There are no {other}s to pair with"
    if not allowed.any():
        if sides.free(other) == 1:
            return f"The only available {other} is on this {side}'s do-not-pair list"
        return f"Every available {other} is on this {side}'s do-not-pair list"
    if matched_other.all() and sides.free(side) > sides.free(other):
        surplus = sides.free(side) - sides.free(other)
        return (
            f"More {side}s than {other}s: {_count(sides.clinicians, CLINICIAN)} and "
            f"{_count(sides.managers, MANAGER)} were available, so {_count(surplus, side)} "
            f"could not be paired"
        )
    return (
        f"The {other}s they may be paired with are all paired with others, and pairing them "
        "instead would leave someone else unpaired"
    )
