"""The round task: exactly one round per trust and period, however often beat sends the due
check or the round task runs; opt-outs and deactivated people left out; the window honoured
across real rounds; periods turning over at the right dates (time_machine)."""

import datetime
import itertools
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction

from coffee import selectors, services, tasks
from coffee.models import (
    CoffeeCarryOver,
    CoffeeMatch,
    CoffeeMatchMember,
    CoffeeOptIn,
    CoffeeRound,
    MatchKind,
)
from coffee.periods import next_period_start, period_start
from coffee.rounds import met_pairs
from outbox import claims
from outbox.models import OutboxMessage
from tests.factories import ClinicianFactory, TrustFactory, UserFactory

from .factories import (
    CoffeeOptInFactory,
    CoffeeRoundFactory,
    CoffeeSchemeFactory,
    SharedSpaceFactory,
    opted_in_people,
)

pytestmark = pytest.mark.django_db
LONDON_MIDDAY = "2026-03-10 12:00:00+00:00"  # a Tuesday


@pytest.fixture
def scheme(trust_a):
    return CoffeeSchemeFactory(trust=trust_a)


def rounds_of(trust):
    return list(CoffeeRound.objects.filter(trust=trust).order_by("period_start"))


@time_machine.travel(LONDON_MIDDAY, tick=False)
def test_beat_makes_one_round_and_emails_everyone_once(scheme, trust_a, committed):
    SharedSpaceFactory(trust=trust_a, name="Level 3 staff kitchen")
    clinicians, managers = opted_in_people(trust_a, clinicians=3, managers=3)

    with committed():
        assert tasks.coffee_rounds_due.delay().get() == 1

    [round_] = rounds_of(trust_a)
    assert round_.period_start == datetime.date(2026, 3, 1)
    assert (round_.pairs_count, round_.trios_count, round_.carried_over_count) == (3, 0, 0)
    assert round_.people_count == 6 and round_.emails_queued_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in clinicians + managers)
    assert CoffeeMatchMember.objects.filter(notified_at__isnull=True).count() == 0
    assert set(CoffeeMatch.objects.values_list("space__name", flat=True)) == {
        "Level 3 staff kitchen"
    }


@time_machine.travel(LONDON_MIDDAY, tick=False)
def test_beat_twice_and_the_task_twice_still_make_one_round(scheme, trust_a, committed):
    opted_in_people(trust_a, clinicians=2, managers=2)

    with committed():
        tasks.coffee_rounds_due.delay()
    with committed():
        assert tasks.coffee_rounds_due.delay().get() == 0  # beat restarted: nothing is due
    # The round task delivered again, as after a worker died (acks_late) or a second queue.
    with committed():
        assert tasks.coffee_round_run.delay(scheme.pk, "2026-03-01").get() == "already run"

    assert len(rounds_of(trust_a)) == 1
    assert CoffeeMatchMember.objects.count() == 4
    assert len(mail.outbox) == 4
    # The emails' own tasks, delivered again, send nothing more.
    for member in CoffeeMatchMember.objects.all():
        with committed():
            assert tasks.send_coffee_match.delay(member.pk).get() == "already sent"
    assert tasks.send_coffee_round_emails.delay(rounds_of(trust_a)[0].pk).get() == (
        "already queued"
    )
    assert len(mail.outbox) == 4


@time_machine.travel(LONDON_MIDDAY, tick=False)
def test_two_due_checks_queued_before_either_runs_still_make_one_round(scheme, trust_a, committed):
    """Beat restarting between two due checks: both queue the round before it runs (the
    outbox holds both until the commit); the second run finds it under the lock."""
    opted_in_people(trust_a, clinicians=2, managers=2)
    with transaction.atomic():
        with committed():
            tasks.coffee_round_run.delay(scheme.pk, "2026-03-01")
        with committed():
            tasks.coffee_round_run.delay(scheme.pk, "2026-03-01")
    assert len(rounds_of(trust_a)) == 1
    assert OutboxMessage.objects.filter(task_name="coffee.tasks.coffee_round_run").count() == 2
    assert len(mail.outbox) == 4


def test_the_constraint_is_the_backstop(trust_a):
    CoffeeRoundFactory(trust=trust_a, period_start=datetime.date(2026, 3, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        CoffeeRoundFactory(trust=trust_a, period_start=datetime.date(2026, 3, 1))


@time_machine.travel(LONDON_MIDDAY, tick=False)
def test_a_round_task_that_waited_past_its_period_does_nothing(scheme, trust_a, committed):
    opted_in_people(trust_a, clinicians=1, managers=1)
    with committed():
        assert tasks.coffee_round_run.delay(scheme.pk, "2026-02-01").get() == "period over"
    assert rounds_of(trust_a) == []


@time_machine.travel(LONDON_MIDDAY, tick=False)
def test_a_scheme_turned_off_runs_no_round(scheme, trust_a, committed):
    opted_in_people(trust_a, clinicians=1, managers=1)
    scheme.active = False
    scheme.save()
    with committed():
        assert tasks.coffee_rounds_due.delay().get() == 0
    with committed():
        assert tasks.coffee_round_run.delay(scheme.pk, "2026-03-01").get() == "scheme off"
    assert rounds_of(trust_a) == []


@time_machine.travel(LONDON_MIDDAY, tick=False)
def test_opted_out_deactivated_and_other_trusts_people_never_appear(
    scheme, trust_a, trust_b, committed
):
    clinicians, managers = opted_in_people(trust_a, clinicians=3, managers=3)
    services.coffee_opt_set(person=clinicians[0], opted_in=False)
    managers[0].is_active = False
    managers[0].save()
    never = ClinicianFactory(trust=trust_a)  # never opted in
    elsewhere = UserFactory(trust=trust_b)
    CoffeeOptInFactory(person=elsewhere)
    no_group = UserFactory(trust=trust_a, professional_group="")
    CoffeeOptInFactory(person=no_group)

    with committed():
        tasks.coffee_rounds_due.delay()

    matched = set(CoffeeMatchMember.objects.values_list("person_id", flat=True))
    carried = set(CoffeeCarryOver.objects.values_list("person_id", flat=True))
    assert matched | carried == {p.pk for p in clinicians[1:] + managers[1:]}
    assert not {clinicians[0].pk, managers[0].pk, never.pk, elsewhere.pk, no_group.pk} & (
        matched | carried
    )
    assert CoffeeOptIn.objects.get(person=clinicians[0]).opted_in is False  # the row is kept


def test_no_repeats_within_the_window_over_real_rounds(trust_a, committed):
    """Monthly rounds for a year with three clinicians and three managers and a window of
    two: no two people meet again within two rounds, and the round after a carry-over
    starts with the person carried over."""
    scheme = CoffeeSchemeFactory(trust=trust_a, repeat_window_rounds=2)
    opted_in_people(trust_a, clinicians=3, managers=3)
    start = datetime.date(2026, 1, 1)
    history = []
    for _ in range(12):
        with committed():
            services.coffee_round_create(scheme_id=scheme.pk, period_start=start)
        round_ = CoffeeRound.objects.get(trust=trust_a, period_start=start)
        groups = [
            list(match.members.values_list("person_id", flat=True))
            for match in round_.matches.all()
        ]
        for earlier in history[-2:]:
            assert not met_pairs(groups) & met_pairs(earlier)
        history.append(groups)
        start = next_period_start("monthly", start)
    counts = Counter(len(g) for groups in history for g in groups)
    assert counts[2] == 36  # three pairs a month: with three of each side, never a trio


def test_a_carried_over_person_is_matched_first_next_round(trust_a, committed):
    scheme = CoffeeSchemeFactory(trust=trust_a)
    clinicians, [manager] = opted_in_people(trust_a, clinicians=4, managers=1)
    with committed():
        first = services.coffee_round_create(
            scheme_id=scheme.pk, period_start=datetime.date(2026, 1, 1)
        )
    carried = set(first.carry_overs.values_list("person_id", flat=True))
    assert len(carried) == 2 and first.trios_count == 1
    assert len(mail.outbox) == 5
    carry_mail = [
        m for m in mail.outbox if m.to[0] in {p.email for p in clinicians if p.pk in carried}
    ]
    assert all("you will be first in the next round" in m.subject for m in carry_mail)
    assert all("You'll be first in the next round" in m.body for m in carry_mail)

    with committed():
        second = services.coffee_round_create(
            scheme_id=scheme.pk, period_start=datetime.date(2026, 2, 1)
        )
    # The manager has met the two who were matched in January (window 3): the carried-over
    # two are the ones matched with them now, one as a pair and one as its third.
    matched = set(
        CoffeeMatchMember.objects.filter(round=second).values_list("person_id", flat=True)
    )
    assert carried | {manager.pk} == matched
    assert CoffeeMatch.objects.get(round=second).kind == MatchKind.TRIO


def test_a_round_reruns_the_same_way(trust_a, trust_b, committed):
    """Seeded by trust and period: the same people give the same matches (what a rerun after
    a rollback would make)."""
    scheme = CoffeeSchemeFactory(trust=trust_a)
    opted_in_people(trust_a, clinicians=6, managers=5)
    start = datetime.date(2026, 1, 1)
    with transaction.atomic():
        with committed():
            services.coffee_round_create(scheme_id=scheme.pk, period_start=start)
        first = sorted(
            tuple(sorted(m.members.values_list("person_id", flat=True)))
            for m in CoffeeMatch.objects.all()
        )
        transaction.set_rollback(True)
    with committed():
        services.coffee_round_create(scheme_id=scheme.pk, period_start=start)
    again = sorted(
        tuple(sorted(m.members.values_list("person_id", flat=True)))
        for m in CoffeeMatch.objects.all()
    )
    assert first == again


@pytest.mark.parametrize("people", [10, 100])
def test_the_round_makes_the_same_queries_for_10_people_or_100(
    trust_a, django_assert_num_queries, people
):
    scheme = CoffeeSchemeFactory(trust=trust_a)
    SharedSpaceFactory(trust=trust_a)
    opted_in_people(trust_a, clinicians=people // 2 + 1, managers=people // 2)
    CoffeeRoundFactory(trust=trust_a, period_start=datetime.date(2025, 12, 1))
    # A savepoint and its release; the scheme's lock; the refusal's check; the five reads
    # of round_inputs (people, the window's rounds, their members, the carry-overs, the
    # spaces); the inserts of the round, the matches (one trio) and the members (none is
    # carried over, so no insert of carry-overs); the outbox row of the email fan-out.
    with django_assert_num_queries(13):
        services.coffee_round_create(scheme_id=scheme.pk, period_start=datetime.date(2026, 1, 1))


def test_rounds_due_reads_every_trust_in_two_queries(django_assert_num_queries):
    for _ in range(5):
        CoffeeSchemeFactory(trust=TrustFactory())
    with django_assert_num_queries(2):  # the schemes, the rounds that exist
        due = selectors.rounds_due(datetime.date(2026, 3, 10))
    assert len(due) == 5


# --- periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "day", "start"),
    [
        ("monthly", "2026-03-31", "2026-03-01"),
        ("weekly", "2026-03-15", "2026-03-09"),  # a Sunday: the Monday before
        ("weekly", "2026-03-16", "2026-03-16"),
        ("quarterly", "2026-06-30", "2026-04-01"),
        ("quarterly", "2026-10-01", "2026-10-01"),
        ("fortnightly", "2026-01-05", "2026-01-05"),  # ISO week 2 (even)
        ("fortnightly", "2026-01-18", "2026-01-05"),
        ("fortnightly", "2026-01-19", "2026-01-19"),
    ],
)
def test_period_starts(frequency, day, start):
    assert period_start(frequency, datetime.date.fromisoformat(day)) == datetime.date.fromisoformat(
        start
    )


def test_fortnights_are_always_fourteen_days_even_across_a_53_week_year():
    day, starts = datetime.date(2026, 11, 1), set()
    while day < datetime.date(2027, 3, 1):  # 2026 has an ISO week 53
        starts.add(period_start("fortnightly", day))
        day += datetime.timedelta(days=1)
    ordered = sorted(starts)
    assert {(b - a).days for a, b in itertools.pairwise(ordered)} == {14}
    assert all(s.weekday() == 0 for s in ordered)


def test_rounds_turn_over_with_the_period_in_london_time(trust_a, committed):
    """Beat every hour across the end of the month: one round for March, then one for April
    from the first run after midnight in London (23:30 UTC on 31 March is 00:30 BST)."""
    scheme = CoffeeSchemeFactory(trust=trust_a)
    opted_in_people(trust_a, clinicians=2, managers=2)
    with time_machine.travel("2026-03-31 21:00:00+00:00", tick=False) as traveller:
        for _ in range(6):  # 21:00 to 02:00 UTC, hourly
            with committed():
                tasks.coffee_rounds_due.delay()
            traveller.shift(datetime.timedelta(minutes=30))
            with committed():
                tasks.coffee_rounds_due.delay()  # beat restarted half-way through the hour
            traveller.shift(datetime.timedelta(minutes=30))
    assert [r.period_start for r in rounds_of(trust_a)] == [
        datetime.date(2026, 3, 1),
        datetime.date(2026, 4, 1),
    ]
    april = rounds_of(trust_a)[1]
    assert april.ran_at.isoformat().startswith("2026-03-31T23:00")  # 00:00 BST
    assert scheme.pk


def test_weekly_rounds_each_monday(trust_a, committed):
    scheme = CoffeeSchemeFactory(trust=trust_a, frequency="weekly", repeat_window_rounds=0)
    opted_in_people(trust_a, clinicians=1, managers=1)
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False) as traveller:
        for _ in range(21):  # three weeks, daily
            with committed():
                tasks.coffee_rounds_due.delay()
            traveller.shift(datetime.timedelta(days=1))
    assert [r.period_start.isoformat() for r in rounds_of(trust_a)] == [
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
    ]
    assert scheme.pk


def test_a_refused_round_is_reported(scheme, trust_a, committed):
    CoffeeRoundFactory(trust=trust_a, period_start=datetime.date(2026, 3, 1))
    with pytest.raises(claims.NotClaimed), committed():
        services.coffee_round_create(scheme_id=scheme.pk, period_start=datetime.date(2026, 3, 1))
