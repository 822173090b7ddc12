"""Each measure of the trust dashboard (reports.selectors) against counts worked out by hand
on factory data: whose figures they are, what each filter keeps, and the 12- and 24-month
windows to the day."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from coffee.models import CoffeeMatch, CoffeeRound
from pairing.models import ImprovementProject, Pairing, PairingScheme, ShadowingVisit
from people.models import ProfessionalGroup, RoleCategory
from reports import selectors
from reports.dates import add_months
from reports.selectors import ReportFilter
from tests.factories import (
    AttendanceFactory,
    BoardSnapshotFactory,
    ClinicianFactory,
    CohortFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    RoleAppointmentFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def london(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def completed(person, cohort, *, applied: D, finished: D, **extra):
    return EnrolmentFactory(
        person=person, cohort=cohort, status="completed",
        created_at=london(applied), status_changed_at=london(finished, 17), **extra,
    )  # fmt: skip


@pytest.fixture
def cohort_a(trust_a):
    return CohortFactory(
        host_trust=trust_a, name="Northshire spring 2024",
        starts_on=D(2024, 2, 1), ends_on=D(2024, 6, 30),
    )  # fmt: skip


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2024, 6, 30), 12, D(2025, 6, 30)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # no 29 February in 2025: the month's end
        (D(2024, 2, 29), 24, D(2026, 2, 28)),
        (D(2023, 2, 28), 12, D(2024, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 12, 31), 12, D(2025, 12, 31)),
    ],
)
def test_add_months_in_python_and_in_the_database_agree(day, months, expected):
    from django.db.models import DateField, Value

    from people.models import Region
    from reports.dates import AddMonths

    assert add_months(day, months) == expected
    # Any row will do: the regions the migrations seed.
    in_db = (
        Region.objects.annotate(d=AddMonths(Value(day, output_field=DateField()), months))
        .values_list("d", flat=True)
        .first()
    )
    assert in_db == expected


# --- enrolments -------------------------------------------------------------------------------


def test_enrolment_counts_are_the_trusts_enrolments_by_group_status_and_answer(
    trust_a, trust_b, cohort_a
):
    nurse = ClinicianFactory(trust=trust_a, professional_group=ProfessionalGroup.NURSING_MIDWIFERY,
                             registration_body="NMC", registration_number="12A3456E")  # fmt: skip
    doctor, manager = ClinicianFactory(trust=trust_a), UserFactory(trust=trust_a)
    EnrolmentFactory(person=nurse, cohort=cohort_a, status="completed", baseline_relationship=2)
    EnrolmentFactory(person=doctor, cohort=cohort_a, status="withdrawn", baseline_relationship=4)
    EnrolmentFactory(person=manager, cohort=cohort_a, status="enrolled", baseline_relationship=3)
    # The manager again, in another cohort: one person, two enrolments.
    other = CohortFactory(host_trust=trust_a, starts_on=D(2024, 3, 1), ends_on=D(2024, 9, 1))
    EnrolmentFactory(person=manager, cohort=other, status="waitlisted")
    # Trust A's doctor in a cohort trust B hosts counts for trust A ...
    cohort_b = CohortFactory(host_trust=trust_b, starts_on=D(2024, 1, 1), ends_on=D(2024, 5, 1))
    EnrolmentFactory(person=ClinicianFactory(trust=trust_a), cohort=cohort_b, status="enrolled")
    # ... and trust B's people in trust A's cohort count for trust B, not A.
    EnrolmentFactory(person=ClinicianFactory(trust=trust_b), cohort=cohort_a, status="completed")

    counts = selectors.enrolment_counts(ReportFilter(trust=trust_a))
    assert counts["groups"] == {
        "medical": 1,  # the doctor at trust B's cohort; the withdrawn doctor is no participant
        "nursing_midwifery": 1,
        "allied_health": 0,
        "healthcare_science": 0,
        "pharmacy": 0,
        "management": 1,  # once, for two enrolments
    }
    assert counts["statuses"] == {
        "pending_approval": 0, "enrolled": 2, "waitlisted": 1, "withdrawn": 1,
        "completed": 1, "not_completed": 0,
    }  # fmt: skip
    assert counts["relationship"] == {1: 0, 2: 1, 3: 1, 4: 0}  # the withdrawn answer is not
    by_cohort = selectors.enrolment_counts(ReportFilter(trust=trust_a, cohort=cohort_b))
    assert by_cohort["statuses"]["enrolled"] == 1 and sum(by_cohort["statuses"].values()) == 1


def test_dates_select_the_cohorts_running_between_them(trust_a, cohort_a):
    EnrolmentFactory(person=ClinicianFactory(trust=trust_a), cohort=cohort_a)
    later = CohortFactory(host_trust=trust_a, starts_on=D(2025, 1, 1), ends_on=D(2025, 6, 1))
    EnrolmentFactory(person=ClinicianFactory(trust=trust_a), cohort=later)

    def enrolled(**dates):
        counts = selectors.enrolment_counts(ReportFilter(trust=trust_a, **dates))
        return counts["statuses"]["enrolled"]

    assert enrolled() == 2
    assert enrolled(since=D(2024, 6, 30)) == 2  # cohort A's last day
    assert enrolled(since=D(2024, 7, 1)) == 1
    assert enrolled(until=D(2024, 2, 1)) == 1  # cohort A's first day
    assert enrolled(until=D(2024, 1, 31)) == 0
    assert enrolled(since=D(2024, 7, 1), until=D(2024, 12, 31)) == 0


def test_a_programme_filter_keeps_its_cohorts_only(trust_a, cohort_a):
    EnrolmentFactory(person=ClinicianFactory(trust=trust_a), cohort=cohort_a)
    other = CohortFactory(host_trust=trust_a, programme=ProgrammeFactory())
    EnrolmentFactory(person=ClinicianFactory(trust=trust_a), cohort=other)
    counts = selectors.enrolment_counts(ReportFilter(trust=trust_a, programme=cohort_a.programme))
    assert counts["statuses"]["enrolled"] == 1


# --- attendance -------------------------------------------------------------------------------


def test_attendance_counts_marks_at_held_sessions_and_excused_where_the_programme_says(
    trust_a, cohort_a
):
    now = timezone.now()
    held = [
        SessionFactory(
            cohort=cohort_a,
            starts_at=now - datetime.timedelta(days=d, hours=3),
            ends_at=now - datetime.timedelta(days=d),
        )
        for d in (30, 20, 10, 5)
    ]
    future = SessionFactory(cohort=cohort_a)
    cancelled = SessionFactory(cohort=cohort_a, starts_at=held[0].starts_at,
                               ends_at=held[0].ends_at, status="cancelled")  # fmt: skip
    enrolment = EnrolmentFactory(person=ClinicianFactory(trust=trust_a), cohort=cohort_a)
    for session, mark in zip(held, ["present", "late", "absent", "excused"], strict=True):
        AttendanceFactory(session=session, enrolment=enrolment, mark=mark)
    AttendanceFactory(session=future, enrolment=enrolment, mark="absent")
    AttendanceFactory(session=cancelled, enrolment=enrolment, mark="absent")
    f = ReportFilter(trust=trust_a)
    assert selectors.attendance_counts(f) == {"marks": 4, "attended": 2}
    cohort_a.programme.excused_counts_as_attended = True
    cohort_a.programme.save()
    assert selectors.attendance_counts(f) == {"marks": 4, "attended": 3}


def test_the_excused_rule_is_each_programmes_own_on_the_dashboard_and_in_the_comparison(
    trust_a, cohort_a
):
    """Two cohorts of two programmes, an excused mark in each: it counts as attended only in
    the programme that says so — on the dashboard, whose rule is read per cohort
    (selectors.taken_part), and in the all-trust comparison, where it is a set of sessions."""
    from reports import comparison_selectors

    cohort_a.programme.excused_counts_as_attended = True
    cohort_a.programme.save()
    other = CohortFactory(host_trust=trust_a, programme=ProgrammeFactory())
    person = ClinicianFactory(trust=trust_a)
    now = timezone.now()
    for cohort in (cohort_a, other):
        session = SessionFactory(
            cohort=cohort,
            starts_at=now - datetime.timedelta(days=2, hours=3),
            ends_at=now - datetime.timedelta(days=2),
        )
        enrolment = EnrolmentFactory(person=person, cohort=cohort)
        AttendanceFactory(session=session, enrolment=enrolment, mark="excused")
    expected = {"marks": 2, "attended": 1}
    assert selectors.attendance_counts(ReportFilter(trust=trust_a)) == expected
    only_other = ReportFilter(trust=trust_a, programme=other.programme)
    assert selectors.attendance_counts(only_other) == {"marks": 1, "attended": 0}
    by_trust = comparison_selectors.attendance_counts(comparison_selectors.ComparisonFilter())
    assert by_trust[trust_a.pk] == expected


# --- pairs and coffee -------------------------------------------------------------------------


def test_pairs_count_where_a_member_took_part_for_the_trust(trust_a, trust_b, cohort_a):
    a_doctor, a_manager = ClinicianFactory(trust=trust_a), UserFactory(trust=trust_a)
    for person in (a_doctor, a_manager):
        EnrolmentFactory(person=person, cohort=cohort_a)
    ours = Pairing.objects.create(cohort=cohort_a, clinician=a_doctor, manager=a_manager,
                                  status="active", source="matched")  # fmt: skip
    ShadowingVisit.objects.create(
        pairing=ours, shadower=a_manager, logged_by=a_manager, visited_on=D(2024, 3, 1),
        hours=Decimal("3.5"), setting="clinic", status="confirmed", confirmed_by=a_doctor,
        confirmed_at=timezone.now(),
    )  # fmt: skip
    ShadowingVisit.objects.create(
        pairing=ours,
        shadower=a_doctor,
        logged_by=a_doctor,
        visited_on=D(2024, 3, 2),
        hours=2,
        setting="budget_meeting",
    )  # fmt: skip  (not confirmed: not counted)
    ImprovementProject.objects.create(pairing=ours, title="Discharge", status="presented",
                                      presented_on=D(2024, 6, 1))  # fmt: skip
    # Trust B's pair in trust A's cohort: neither took part for trust A.
    b_doctor, b_manager = ClinicianFactory(trust=trust_b), UserFactory(trust=trust_b)
    for person in (b_doctor, b_manager):
        EnrolmentFactory(person=person, cohort=cohort_a)
    Pairing.objects.create(cohort=cohort_a, clinician=b_doctor, manager=b_manager,
                           status="ended", source="matched")  # fmt: skip
    scheme = PairingScheme.objects.create(trust=trust_a, name="Trust-wide", starts_on=D(2024, 1, 1))
    Pairing.objects.create(scheme=scheme, clinician=ClinicianFactory(trust=trust_a),
                           manager=UserFactory(trust=trust_a), source="administrator",
                           started_on=D(2025, 1, 1))  # fmt: skip

    everything = selectors.pairing_counts(ReportFilter(trust=trust_a))
    assert everything["by_status"] == {"active": 1, "proposed": 1}
    assert everything["confirmed_hours"] == Decimal("3.5")
    assert everything["projects"] == {"presented": 1}
    by_programme = selectors.pairing_counts(
        ReportFilter(trust=trust_a, programme=cohort_a.programme)
    )
    assert by_programme["by_status"] == {"active": 1}  # scheme pairs belong to no programme
    before_the_scheme_pair = selectors.pairing_counts(
        ReportFilter(trust=trust_a, until=D(2024, 12, 31))
    )
    assert before_the_scheme_pair["by_status"] == {"active": 1}


def test_coffee_counts_the_trusts_rounds_in_the_dates(trust_a, trust_b):
    for trust, start, met in ((trust_a, D(2024, 3, 1), 2), (trust_a, D(2024, 4, 1), 1),
                              (trust_b, D(2024, 3, 1), 5)):  # fmt: skip
        round_ = CoffeeRound.objects.create(trust=trust, period_start=start,
                                            frequency="monthly", ran_at=timezone.now())  # fmt: skip
        for index in range(3):
            CoffeeMatch.objects.create(round=round_, met_at=timezone.now() if index < met else None)
    f = ReportFilter(trust=trust_a)
    assert selectors.coffee_counts(f) == {"rounds": 2, "matches": 6, "met": 3}
    march = ReportFilter(trust=trust_a, since=D(2024, 3, 1), until=D(2024, 3, 31))
    assert selectors.coffee_counts(march) == {"rounds": 1, "matches": 3, "met": 2}
    assert selectors.coffee_counts(ReportFilter(trust=trust_a, until=D(2024, 2, 29))) == {
        "rounds": 0, "matches": 0, "met": 0,
    }  # fmt: skip
    assert (
        selectors.coffee_counts(ReportFilter(trust=trust_a, programme=ProgrammeFactory())) is None
    )


def test_board_snapshots_are_the_trusts_in_the_dates_oldest_first(trust_a, trust_b):
    BoardSnapshotFactory(trust=trust_a, recorded_on=D(2026, 4, 1), members=14, clinician_members=5)
    BoardSnapshotFactory(trust=trust_a, recorded_on=D(2025, 4, 1), members=14, clinician_members=4)
    BoardSnapshotFactory(trust=trust_b, recorded_on=D(2025, 4, 1))
    rows = selectors.board_snapshots(ReportFilter(trust=trust_a))
    assert [(r["recorded_on"], r["clinician_members"]) for r in rows] == [
        (D(2025, 4, 1), 4), (D(2026, 4, 1), 5),
    ]  # fmt: skip
    assert len(selectors.board_snapshots(ReportFilter(trust=trust_a, since=D(2025, 4, 2)))) == 1


# --- clinicians in leadership roles -----------------------------------------------------------


def lead_role(person, starts_on, ends_on=None, category=RoleCategory.CLINICAL_LEADERSHIP):
    return RoleAppointmentFactory(person=person, starts_on=starts_on, ends_on=ends_on,
                                  category=category, title=f"Role from {starts_on}")  # fmt: skip


def test_leadership_windows_to_the_day(trust_a, cohort_a):
    """Applied 10 January 2024, completed 30 June 2024: in a role when they enrolled means
    begun by 9 January and not ended before the 10th; 12 months means held on 30 June 2025,
    24 months on 30 June 2026."""
    people = [ClinicianFactory(trust=trust_a) for _ in range(7)]
    for person in people:
        completed(person, cohort_a, applied=D(2024, 1, 10), finished=D(2024, 6, 30))
    begun_before, begun_that_day, on_the_day, day_after, ended_day_before, ended_that_day, _ = (
        people
    )
    lead_role(begun_before, D(2024, 1, 9))  # in a role when they enrolled, and since
    lead_role(begun_that_day, D(2024, 1, 10), D(2024, 3, 1))  # moved into one: not "before"
    lead_role(on_the_day, D(2025, 6, 30))  # held on the 12-month day
    lead_role(day_after, D(2025, 7, 1), category=RoleCategory.BOARD_EXECUTIVE)  # 24 only
    lead_role(ended_day_before, D(2025, 1, 1), D(2025, 6, 29))  # not on the day
    lead_role(ended_that_day, D(2025, 1, 1), D(2025, 6, 30), category=RoleCategory.MANAGEMENT)
    # A clinical role is no leadership role.
    lead_role(people[6], D(2020, 1, 1), category=RoleCategory.CLINICAL)

    f = ReportFilter(trust=trust_a)
    on_12 = selectors.leadership_counts(f, today=D(2025, 6, 30))
    assert on_12 == {
        "completed": 7, "led_at_enrolment": 1,
        "followed_12": 7, "led_12": 3,  # begun before, on the day, ended that day
        "followed_24": 0, "led_24": 0,
    }  # fmt: skip
    before_12 = selectors.leadership_counts(f, today=D(2025, 6, 29))
    assert before_12["followed_12"] == 0 and before_12["led_12"] == 0  # still being followed
    on_24 = selectors.leadership_counts(f, today=D(2026, 6, 30))
    assert on_24["followed_24"] == 7
    assert on_24["led_24"] == 3  # begun before, on the 12-month day, the day after
    assert selectors.leadership_counts(f, today=D(2026, 6, 29))["followed_24"] == 0


def test_leadership_on_29_february_counts_from_28_february(trust_a, cohort_a):
    clamped, rolled = ClinicianFactory(trust=trust_a), ClinicianFactory(trust=trust_a)
    for person in (clamped, rolled):
        completed(person, cohort_a, applied=D(2023, 9, 1), finished=D(2024, 2, 29))
    lead_role(clamped, D(2025, 2, 28))
    lead_role(rolled, D(2025, 3, 1))
    counts = selectors.leadership_counts(ReportFilter(trust=trust_a), today=D(2025, 2, 28))
    assert (counts["followed_12"], counts["led_12"]) == (2, 1)


def test_leadership_counts_completing_clinicians_of_the_trust_once_each(trust_a, trust_b, cohort_a):
    doctor = ClinicianFactory(trust=trust_a)
    completed(doctor, cohort_a, applied=D(2023, 1, 10), finished=D(2023, 6, 30))
    again = CohortFactory(host_trust=trust_a, starts_on=D(2024, 2, 1), ends_on=D(2024, 6, 30))
    completed(doctor, again, applied=D(2024, 1, 10), finished=D(2024, 6, 30))
    lead_role(doctor, D(2023, 8, 1))
    manager = UserFactory(trust=trust_a)
    completed(manager, cohort_a, applied=D(2024, 1, 10), finished=D(2024, 6, 30))
    lead_role(manager, D(2024, 8, 1), category=RoleCategory.MANAGEMENT)  # managers are not counted
    not_done = ClinicianFactory(trust=trust_a)
    EnrolmentFactory(person=not_done, cohort=cohort_a, status="not_completed")
    completed(ClinicianFactory(trust=trust_b), cohort_a, applied=D(2024, 1, 10),
              finished=D(2024, 6, 30))  # fmt: skip
    counts = selectors.leadership_counts(ReportFilter(trust=trust_a), today=D(2026, 12, 1))
    assert counts == {
        "completed": 1, "led_at_enrolment": 1,  # in a role when they enrolled the second time
        "followed_12": 1, "led_12": 1, "followed_24": 1, "led_24": 1,
    }  # fmt: skip


def test_an_empty_trust_has_nothing_to_count(trust_a):
    f = ReportFilter(trust=trust_a)
    assert set(selectors.leadership_counts(f).values()) == {0}
    assert selectors.attendance_counts(f) == {"marks": 0, "attended": 0}
    assert set(selectors.enrolment_counts(f)["statuses"].values()) == {0}
    assert selectors.pairing_counts(f)["by_status"] == {}
    assert selectors.board_snapshots(f) == []
