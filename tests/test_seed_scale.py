"""`manage.py seed_scale` at a tiny scale: the volumes relative to each other, and the models'
invariants it must keep by construction since it writes past the services."""

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.test import override_settings
from django.utils import timezone

from demo.scale.plan import EMAIL_DOMAIN, ODS_PREFIX, Volumes
from pairing.models import Pairing, ShadowingVisit
from people.models import (
    CLINICAL_GROUPS,
    LEADERSHIP_CATEGORIES,
    BoardSnapshot,
    ProfessionalGroup,
    RoleAppointment,
    Trust,
    User,
)
from programmes.models import (
    ATTENDED,
    SEATED,
    Attendance,
    Cohort,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    Programme,
    Session,
)
from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, TrustFactory

pytestmark = pytest.mark.django_db

SCALE = 0.003
TODAY = datetime.date(2026, 6, 15)  # a fixed day: the same rows on any day the test runs
S = EnrolmentStatus


def seed_scale(*args):
    out = StringIO()
    call_command(
        "seed_scale", "--scale", str(SCALE), "--today", TODAY.isoformat(), *args, stdout=out
    )
    return out.getvalue()


def counts():
    return {
        "trusts": Trust.objects.count(),
        "people": User.objects.count(),
        "cohorts": Cohort.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "attendance": Attendance.objects.count(),
        "role_appointments": RoleAppointment.objects.count(),
        "pairings": Pairing.objects.count(),
    }


@pytest.fixture
def seeded():
    return seed_scale()


def test_volumes_follow_product_section_6(seeded):
    target = Volumes.at(SCALE)
    got = counts()
    assert got["trusts"] == target.trusts
    assert got["people"] == target.people
    assert got["cohorts"] == target.cohorts
    assert target.enrolments * 0.97 <= got["enrolments"] <= target.enrolments
    assert target.attendance * 0.8 <= got["attendance"] <= target.attendance * 1.2
    assert target.role_appointments * 0.97 <= got["role_appointments"] <= target.role_appointments
    assert got["pairings"] > 0 and ShadowingVisit.objects.exists()
    assert BoardSnapshot.objects.filter(trust__ods_code__startswith=ODS_PREFIX).count() >= 3 * 5
    # Progress per table: rows and seconds.
    assert "attendance" in seeded and "rows" in seeded and "s (" in seeded
    groups = Counter(User.objects.values_list("professional_group", flat=True))
    assert set(groups) == set(ProfessionalGroup.values)
    assert 0.6 < sum(groups[g] for g in CLINICAL_GROUPS) / got["people"] < 0.9
    statuses = Counter(Enrolment.objects.values_list("status", flat=True))
    assert statuses[S.COMPLETED] > statuses[S.NOT_COMPLETED] > 0 and statuses[S.WITHDRAWN] > 0


def test_rows_pass_the_models_validation(seeded):
    """full_clean(): registration numbers by their register's format, ODS codes, choices,
    the check constraints (capacity, dates) and the unique ones."""
    for model in (Trust, User, Programme, Cohort, Session, Enrolment, RoleAppointment, Pairing):
        for obj in model.objects.all()[:300]:
            obj.full_clean()
    assert (
        not User.objects.filter(email__endswith=EMAIL_DOMAIN)
        .filter(professional_group__in=CLINICAL_GROUPS, registration_number="")
        .exists()
    )


def test_capacity_and_joint_mix_never_exceeded(seeded):
    clinical = Q(enrolments__status__in=SEATED, enrolments__professional_group__in=CLINICAL_GROUPS)
    managers = Q(enrolments__status__in=SEATED) & ~Q(
        enrolments__professional_group__in=CLINICAL_GROUPS
    )
    cohorts = Cohort.objects.annotate(
        clinicians=Count("enrolments", filter=clinical),
        managers=Count("enrolments", filter=managers),
    )
    assert cohorts.filter(clinicians__gt=0, managers__gt=0).exists()
    assert not cohorts.filter(
        Q(clinicians__gt=F("capacity") - F("managers"))
        | Q(clinicians__gt=F("capacity") - F("reserved_for_managers"))
        | Q(managers__gt=F("capacity") - F("reserved_for_clinicians"))
    ).exists()
    # One live enrolment per person per cohort (the constraint holds it; this says so).
    live = Enrolment.objects.exclude(status=S.WITHDRAWN)
    assert not live.values("person", "cohort").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_enrolments_are_consistent_with_their_people_and_cohorts(seeded):
    assert not Enrolment.objects.exclude(trust=F("person__trust")).exists()
    assert not Enrolment.objects.exclude(
        professional_group=F("person__professional_group")
    ).exists()
    # Completions only for cohorts that have ended; nobody enrolled in a draft cohort.
    decided = Enrolment.objects.filter(status__in=(S.COMPLETED, S.NOT_COMPLETED))
    assert decided.exists() and not decided.filter(cohort__ends_on__gte=TODAY).exists()
    assert not Enrolment.objects.filter(cohort__status="draft").exists()
    assert (
        not Enrolment.objects.filter(cohort__status="cancelled")
        .exclude(status=S.WITHDRAWN)
        .exists()
    )
    assert not Enrolment.objects.filter(created_at__lt=F("cohort__enrolment_opens_at")).exists()
    assert not Enrolment.objects.filter(status__in=SEATED, seated_at__isnull=True).exists()
    # Enrolled in their own trust's cohorts mostly, else one of their region's.
    other_region = Enrolment.objects.exclude(cohort__host_trust__region=F("trust__region"))
    assert not other_region.exists()
    assert (
        Enrolment.objects.filter(cohort__host_trust=F("trust")).count()
        > 0.7 * Enrolment.objects.count()
    )
    # Every enrolment's history ends in its status.
    for enrolment in Enrolment.objects.prefetch_related("events")[:300]:
        events = list(enrolment.events.all())
        assert events[0].action == "apply" and events[-1].to_status == enrolment.status
    # Baseline answers spread like the paper's: 74% in the middle two, 14% the worst.
    answers = Counter(
        Enrolment.objects.exclude(baseline_relationship=None).values_list(
            "baseline_relationship", flat=True
        )
    )
    total = sum(answers.values())
    assert total > 0.8 * Enrolment.objects.count()
    assert 0.64 < (answers[2] + answers[3]) / total < 0.84
    assert 0.07 < answers[4] / total < 0.21
    assert EnrolmentEvent.objects.filter(notified_at__isnull=True).count() == 0


def test_attendance_is_one_mark_per_enrolment_per_session_of_its_cohort(seeded):
    assert Attendance.objects.exists()
    assert not Attendance.objects.exclude(session__cohort=F("enrolment__cohort")).exists()
    duplicates = Attendance.objects.values("session", "enrolment").annotate(n=Count("id"))
    assert not duplicates.filter(n__gt=1).exists()
    # Only sessions held (scheduled and ended), after the person got their seat.
    assert not Attendance.objects.exclude(session__status="scheduled").exists()
    assert not Attendance.objects.filter(enrolment__seated_at__gte=F("session__ends_at")).exists()
    assert not Attendance.objects.filter(
        enrolment__status__in=(S.WAITLISTED, S.PENDING_APPROVAL)
    ).exists()
    # Sessions inside their cohort's dates.
    for session in Session.objects.select_related("cohort"):
        day = timezone.localtime(session.starts_at).date()
        assert session.cohort.starts_on <= day <= session.cohort.ends_on
    # A completion met its programme's minimum attendance.
    completed = Enrolment.objects.filter(status=S.COMPLETED).annotate(
        marks=Count("attendance"),
        attended=Count("attendance", filter=Q(attendance__mark__in=ATTENDED)),
    )
    for enrolment in completed.select_related("cohort__programme"):
        minimum = enrolment.cohort.programme.min_attendance_percent
        assert enrolment.attended * 100 >= minimum * enrolment.marks


def test_role_history_gives_an_effect_to_find(seeded):
    """Role appointments carry their person's trust and group; clinicians who completed move
    into leadership after enrolling more often than clinicians who never enrolled."""
    assert not RoleAppointment.objects.exclude(trust=F("person__trust")).exists()
    assert not RoleAppointment.objects.exclude(
        professional_group=F("person__professional_group")
    ).exists()
    assert not RoleAppointment.objects.filter(ends_on__lt=F("starts_on")).exists()
    clinicians = User.objects.filter(professional_group__in=CLINICAL_GROUPS)
    assert RoleAppointment.objects.filter(person__in=clinicians, category="clinical").exists()
    completers = clinicians.filter(enrolments__status=S.COMPLETED).distinct()
    never = clinicians.filter(enrolments=None)
    moved = clinicians.filter(
        role_appointments__category__in=LEADERSHIP_CATEGORIES,
        role_appointments__starts_on__gt=F("enrolments__created_at__date"),
        enrolments__status=S.COMPLETED,
    ).distinct()
    rate_completers = moved.count() / completers.count()
    window = TODAY - datetime.timedelta(days=730)
    rate_never = (
        never.filter(
            role_appointments__category__in=LEADERSHIP_CATEGORIES,
            role_appointments__starts_on__gt=window,
        )
        .distinct()
        .count()
        / never.count()
    )
    assert rate_completers > 2 * rate_never


def test_a_second_run_refuses_and_reset_replaces_only_its_own_rows(seeded):
    trust = TrustFactory(ods_code="RYJ")
    person = ClinicianFactory(trust=trust)
    enrolment = EnrolmentFactory(person=person, cohort=CohortFactory(host_trust=trust))
    before = counts()

    with pytest.raises(CommandError, match="already has seed_scale data"):
        seed_scale()
    assert counts() == before

    output = seed_scale("--reset")
    assert "removed" in output
    assert counts() == before  # the same seed and day: the same rows again
    assert Enrolment.objects.filter(pk=enrolment.pk).exists()

    call_command("seed_scale", "--remove", stdout=StringIO())
    assert counts() == {
        "trusts": 1,
        "people": 1,
        "cohorts": 1,
        "enrolments": 1,
        "attendance": 0,
        "role_appointments": 0,
        "pairings": 0,
    }
    assert not Programme.objects.filter(slug__startswith="scale-").exists()


def test_refuses_production_settings():
    with (
        override_settings(SETTINGS_MODULE="config.settings.production"),
        pytest.raises(CommandError, match="production"),
    ):
        seed_scale()
    assert not Trust.objects.exists()
