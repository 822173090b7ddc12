"""Tandem coffee for `make bench`: one trust's round with 5,000 opted-in staff (3,000
clinicians and 2,000 managers, so 1,000 left over become trios or are carried over).

- ``coffee-round-5000``: coffee.services.coffee_round_create, the round task's work — who
  takes part, the window's pairs (three earlier rounds, made by the warm-up), the matching,
  and the bulk inserts of the round, its matches, members and carry-overs, in one
  transaction — each call the next month's round, so each call avoids the three before it.
- ``coffee-round-5000:emails-queued``: send_coffee_round_emails, the fan-out that writes
  one outbox row per member and per person carried over (5,000), in one transaction. The
  emails themselves are sent later, one task each, by the email queue's workers.

Inside the benchmark's transaction nothing commits, so no email is sent here.
"""

import datetime
import itertools

from bench.runner import benchmark

PEOPLE, CLINICIANS = 5000, 3000
_registration_numbers = itertools.count(6_000_000)


def _staff(trust) -> list:
    """5,000 people of ``trust``, opted in, in a few bulk inserts."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from coffee.models import CoffeeOptIn
    from people.models import ProfessionalGroup, RegistrationBody, User

    password = make_password(None)

    def person(n):
        clinical = n < CLINICIANS
        return User(
            email=f"coffee.{n}@bench.tandem.example",
            password=password,
            first_name="Bench",
            last_name=f"Colleague {n}",
            trust=trust,
            professional_group=(
                ProfessionalGroup.NURSING_MIDWIFERY if clinical else ProfessionalGroup.MANAGEMENT
            ),
            job_title="Ward sister" if clinical else "Service manager",
            registration_body=RegistrationBody.NMC if clinical else "",
            registration_number=(
                f"{next(_registration_numbers) % 100:02d}A{n:04d}E" if clinical else ""
            ),
        )

    people = User.objects.bulk_create([person(n) for n in range(PEOPLE)], batch_size=1000)
    now = timezone.now()
    CoffeeOptIn.objects.bulk_create(
        [CoffeeOptIn(person=p, opted_in=True, changed_at=now) for p in people], batch_size=1000
    )
    return people


@benchmark("coffee-round-5000", group="coffee")
def coffee_round_5000(ctx):
    from coffee import services, tasks
    from coffee.models import CoffeeRound, CoffeeScheme, SharedSpace
    from coffee.periods import next_period_start

    from .programmes import _trust

    trust = _trust("RBC")
    scheme = CoffeeScheme.objects.create(trust=trust)
    for name in ("Level 3 staff kitchen", "Outpatients shared office", "Courtyard café"):
        SharedSpace.objects.create(trust=trust, name=name)
    _staff(trust)
    months = iter(
        itertools.accumulate(
            itertools.repeat(None), lambda start, _: next_period_start("monthly", start),
            initial=datetime.date(2020, 1, 1),
        )
    )  # fmt: skip
    made: list[int] = []

    def run_round():
        round_ = services.coffee_round_create(scheme_id=scheme.pk, period_start=next(months))
        if round_.people_count != PEOPLE:
            raise AssertionError(f"{round_.people_count} people in the round, not {PEOPLE}")
        made.append(round_.pk)

    # Three untimed rounds first, so every timed one has a full window of pairs to avoid.
    ctx.measure(run_round, warmup=3, repeat=min(ctx.repeat, 5))
    last = CoffeeRound.objects.get(pk=made[-1])
    if last.pairs_count + last.trios_count != PEOPLE - CLINICIANS:
        raise AssertionError("every manager should be in a match")

    pending = iter(made[3:])  # the timed rounds' fan-outs, each once

    def queue_emails():
        if tasks.send_coffee_round_emails.run(next(pending)) != f"queued {PEOPLE}":
            raise AssertionError("the fan-out did not queue an email per person")

    ctx.measure(queue_emails, label="emails-queued", warmup=0, repeat=min(ctx.repeat, 5))
