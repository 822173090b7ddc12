"""The pairing matcher (pairing/matching.py) for 250, 500, 1,000 and 2,000 people a side.

Each call is the whole of ``suggest_pairs``: the checks, building the weight matrix (shared
interests, directorates, do-not-pair cells) and the assignment. The people are built before
timing starts, as the service builds them from the database before it calls the matcher. No
queries: the matcher is a pure function. The target: 1,000 x 1,000 under a second.

The cohort is made up to look like a real one: 20 directorates (one person in ten not saying
which), a vocabulary of 30 interests in mixed case and spacing (0-4 each), 1% of all
clinician-manager pairs on a do-not-pair list (given either way round), and one person in 50
already paired. The same seed each run, so the figures compare between runs.

The larger sizes repeat fewer times than ``--repeat`` (a 2,000-a-side call takes most of a
second), so the whole group takes about 15 seconds.
"""

import random

from bench.runner import benchmark

SIZES = {250: None, 500: None, 1000: 20, 2000: 5}  # size: at most this many timed runs
DIRECTORATES = [f"Directorate {k}" for k in range(20)]
INTERESTS = [f"Interest {k}" for k in range(30)]


def _cohort(n: int):
    from pairing.matching import Candidate

    rng = random.Random(n)  # noqa: S311  (benchmark data, not secrets)

    def person(id):
        directorate = "" if rng.random() < 0.1 else rng.choice(DIRECTORATES)
        interests = rng.sample(INTERESTS, rng.randint(0, 4))
        # Mixed case and stray spaces, which the matcher has to normalise.
        interests = [f" {i.upper()}" if rng.random() < 0.2 else i for i in interests]
        return Candidate(id=id, directorate=directorate, interests=frozenset(interests))

    clinicians = [person(i) for i in range(1, n + 1)]
    managers = [person(i) for i in range(n + 1, 2 * n + 1)]
    rng.shuffle(managers)  # the matcher sorts by id itself
    forbidden = set()
    while len(forbidden) < n * n // 100:
        pair = (rng.randint(1, n), rng.randint(n + 1, 2 * n))
        forbidden.add(pair if rng.random() < 0.9 else pair[::-1])
    paired_c = rng.sample(range(1, n + 1), n // 50)
    paired_m = rng.sample(range(n + 1, 2 * n + 1), n // 50)
    existing = list(zip(paired_c, paired_m, strict=True))
    return clinicians, managers, sorted(forbidden), existing


def _register(n: int, most: int | None):
    @benchmark(f"pairing-match-{n}", group="pairing")
    def match(ctx):
        from pairing.matching import suggest_pairs

        clinicians, managers, forbidden, existing = _cohort(n)

        def suggest():
            return suggest_pairs(clinicians, managers, forbidden=forbidden, existing=existing)

        # Once untimed, to check it is benchmarking a matcher that works: with 1% forbidden
        # almost everyone free can be paired.
        result = suggest()
        assert len(result.kept) == n // 50
        assert len(result.pairs) == n - n // 50, (len(result.pairs), len(result.unmatched))
        repeat = ctx.repeat if most is None else min(ctx.repeat, most)
        ctx.measure(suggest, repeat=repeat, warmup=min(ctx.warmup, 1))

    match.__qualname__ = match.__name__ = f"match_{n}"
    return match


for _n, _most in SIZES.items():
    _register(_n, _most)
