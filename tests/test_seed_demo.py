"""`manage.py seed_demo`: the demo data `make run` loads for a newcomer."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from certificates.models import Certificate
from demo import effect, logins, run, trusts
from demo.people import generated_people
from pairing.models import Pairing, ShadowingVisit
from people.access import REGION_SCOPED_ROLES, STAFF_ROLES, TRUST_SCOPED_ROLES, AccessRole
from people.models import (
    CLINICAL_GROUPS,
    BoardSnapshot,
    ProfessionalGroup,
    RoleAppointment,
    Trust,
    User,
)
from programmes.models import Cohort, Enrolment, EnrolmentEvent, EnrolmentStatus
from programmes.selectors import enrolments_for, open_cohorts
from reports.models import MonthlyReport, MonthlyReportEmail


def seed_demo(*args):
    out = StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)  # test settings have DEBUG off
    return out.getvalue()


def row_counts():
    return {
        "trusts": Trust.objects.count(),
        "board snapshots": BoardSnapshot.objects.count(),
        "people": User.objects.count(),
        "role appointments": RoleAppointment.objects.count(),
        "role memberships": User.groups.through.objects.count(),
        "cohorts": Cohort.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "enrolment events": EnrolmentEvent.objects.count(),
        "pairings": Pairing.objects.count(),
        "visits": ShadowingVisit.objects.count(),
        "certificates": Certificate.objects.count(),
        "monthly reports": MonthlyReport.objects.count(),
    }


@pytest.fixture
def seeded(db):
    return seed_demo()


LOGIN_EMAILS = {spec.role: spec.person.email for spec in logins.DEMO_LOGINS}


def test_seeds_three_trusts_with_board_history(seeded):
    assert Trust.objects.count() == 3
    for trust in Trust.objects.all():
        assert trust.board_snapshots.count() >= 2
        assert trust.is_open


def test_seeds_people_in_every_professional_group_of_every_trust(seeded):
    assert User.objects.count() >= 140
    assert set(User.objects.values_list("professional_group", flat=True)) >= set(
        ProfessionalGroup.values
    )
    for trust in Trust.objects.all():
        assert trust.people.clinicians().count() > 20
        assert trust.people.managers().count() > 5


def test_every_seeded_person_passes_full_clean(seeded):
    for person in User.objects.all():
        person.full_clean()
    registered = User.objects.clinicians().exclude(registration_number="")
    assert registered.count() > 70  # clinicians carry registrations (a few need none)


def test_role_history_shows_clinicians_moving_into_leadership(seeded):
    moves = RoleAppointment.objects.leadership().filter(
        person__professional_group__in=CLINICAL_GROUPS, starts_on__year__in=[2025, 2026]
    )
    assert moves.values("person").distinct().count() >= 5
    assert {"clinical_leadership", "management", "board_executive"} <= set(
        moves.values_list("category", flat=True)
    )


def test_one_login_per_role_in_its_group(seeded):
    for role in AccessRole:
        user = User.objects.get(email=LOGIN_EMAILS[role])
        assert list(user.groups.values_list("name", flat=True)) == [role.value]
        assert not user.is_staff and not user.is_superuser  # admin access comes from the group
        first_trust = Trust.objects.get(ods_code=trusts.FIRST_TRUST)
        grant = user.access_grants.get()  # one access grant, for its scope
        assert grant.role == role
        if role in TRUST_SCOPED_ROLES:
            assert grant.trust == first_trust == user.trust
        elif role in REGION_SCOPED_ROLES:
            assert grant.region.code == "Y61"  # East of England: two of the three trusts
        else:
            assert grant.trust is None and grant.region is None
        if role in (AccessRole.PARTICIPANT, AccessRole.FACILITATOR):
            assert user.trust == first_trust
        if role in STAFF_ROLES:
            assert user.has_perm("wagtailadmin.access_admin")
    superuser = User.objects.get(email=LOGIN_EMAILS[None])
    assert superuser.is_superuser and superuser.is_staff


def test_demo_logins_authenticate_with_the_demo_password(seeded):
    for email in LOGIN_EMAILS.values():
        assert authenticate(
            RequestFactory().post("/accounts/login/"), username=email, password=run.DEMO_PASSWORD
        ), email
    ordinary = User.objects.exclude(email__in=LOGIN_EMAILS.values())
    assert not any(person.has_usable_password() for person in ordinary)


def test_prints_the_logins_and_the_password(seeded):
    assert run.DEMO_PASSWORD in seeded
    for spec in logins.DEMO_LOGINS:
        assert spec.person.email in seeded
        assert spec.role_label in seeded
    assert Trust.objects.get(ods_code=trusts.FIRST_TRUST).name in seeded


def test_seeds_leading_together_cohorts_with_enrolments_in_every_state(seeded):
    # Leading Together's; the reports' pilot programme is demo.reports' (tested below).
    cohorts = Cohort.objects.filter(programme__slug="leading-together").select_related("programme")
    assert {c.programme.title for c in cohorts} == {"Leading Together"}
    programme = cohorts[0].programme
    assert programme.page is not None and programme.page.slug == "leading-together"
    today = timezone.localdate()
    for trust in Trust.objects.all():
        hosted = cohorts.filter(host_trust=trust)
        # Past: demo.programmes' one (and the first trust's earlier runs, demo.effect).
        past = hosted.filter(ends_on__lt=today).exclude(name__endswith=effect.EARLIER_RUN)
        assert past.count() == 1
        assert hosted.open_for_enrolment().count() == 1  # current
        assert hosted.filter(enrolment_opens_at__gt=timezone.now()).count() == 1  # future
    assert set(Enrolment.objects.values_list("status", flat=True)) == set(EnrolmentStatus.values)
    # The programme page's Enrol buttons: one open cohort at each trust.
    assert len(open_cohorts(programme_page_id=programme.page_id)) == 3
    # Never over capacity; the full cohort has a waiting list.
    for cohort in cohorts.open_for_enrolment():
        seated = cohort.enrolments.seated()
        assert seated.count() <= cohort.capacity
    full = cohorts.open_for_enrolment().get(capacity=8)
    assert full.enrolments.seated().count() == 8 and full.enrolments.waitlist().count() >= 2
    # The demo participant sees a completed cohort and a waiting-list place on /learn/.
    participant = User.objects.get(email=LOGIN_EMAILS[AccessRole.PARTICIPANT])
    mine = {item.enrolment.status: item for item in enrolments_for(participant)}
    assert set(mine) == {EnrolmentStatus.COMPLETED, EnrolmentStatus.WAITLISTED}
    assert mine[EnrolmentStatus.WAITLISTED].waitlist_place >= 1


def test_seeds_timetables_registers_and_a_session_open_for_check_in(seeded):
    from programmes.models import Attendance, CohortFacilitator, Enrolment, Session
    from programmes.services.completion import attendance_counts

    facilitator = LOGIN_EMAILS[AccessRole.FACILITATOR]
    facilitated = CohortFacilitator.objects.filter(person__email=facilitator)
    # The first trust's past and current cohorts (and its earlier runs: demo.effect).
    assert facilitated.exclude(cohort__name__endswith=effect.EARLIER_RUN).count() == 2
    assert Session.objects.filter(status="cancelled").exists()
    coffee = Session.objects.get(title="Drop-in welcome coffee")
    noon = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(12, 0))
    )
    assert coffee.checkin_is_open(noon)  # seeded for today, 08:00 to 20:00
    # Past cohorts' registers agree with their outcomes (the programme's minimum is 80%).
    for enrolment in Enrolment.objects.filter(status__in=["completed", "not_completed"]):
        sessions = list(Session.objects.filter(cohort=enrolment.cohort, status="scheduled"))
        [(attended, expected)] = attendance_counts(
            [enrolment], sessions, excused_counts=False
        ).values()
        assert expected == 6
        assert (attended >= 5) == (enrolment.status == "completed"), enrolment
    assert Attendance.objects.filter(changes__isnull=False).exists()


def test_seeds_pairs_with_their_visits_meetings_projects_and_a_scheme(seeded):
    from pairing.models import ImprovementProject, PairingScheme
    from pairing.selectors import is_quiet, with_progress

    participant = User.objects.get(email=LOGIN_EMAILS[AccessRole.PARTICIPANT])
    facilitator = LOGIN_EMAILS[AccessRole.FACILITATOR]
    scheme = PairingScheme.objects.get(trust=participant.trust)
    assert scheme.facilitator_links.filter(person__email=facilitator).exists()
    mine = Pairing.objects.live().of(participant).get()
    assert mine.scheme == scheme and mine.status == "active"
    # One visit confirmed, one waiting for the participant to confirm (logged by the partner).
    statuses = sorted(mine.visits.values_list("status", "logged_by_id"))
    assert statuses == [("confirmed", participant.pk), ("logged", mine.manager_id)]
    assert mine.meetings.count() == 2 and mine.project.status == "under_way"
    scheme_pairs = with_progress(Pairing.objects.filter(scheme=scheme)).select_related("scheme")
    assert [is_quiet(p) for p in scheme_pairs].count(True) == 1
    # Past cohorts' pairs ended with their cohorts, their projects presented or closed.
    past = Pairing.objects.filter(cohort__isnull=False, status="ended")
    assert past.count() >= 6
    assert set(
        ImprovementProject.objects.filter(pairing__in=past).values_list("status", flat=True)
    ) == {
        "presented",
        "closed",
    }
    assert ShadowingVisit.objects.filter(pairing__in=past, status="confirmed").count() >= 36
    # The pair who applied together wait for the administrator.
    assert Pairing.objects.filter(status="proposed", source="applied_together").count() == 1


def test_running_twice_changes_nothing(seeded):
    before = row_counts()
    hashes = dict(User.objects.values_list("email", "password"))

    output = seed_demo()

    assert row_counts() == before
    assert dict(User.objects.values_list("email", "password")) == hashes  # not rehashed
    assert "nothing added" in output


def test_rerun_keeps_a_changed_password_and_restores_missing_rows(seeded):
    participant = User.objects.get(email=LOGIN_EMAILS[AccessRole.PARTICIPANT])
    participant.set_password("a-new-password-123")
    participant.save()
    Trust.objects.get(ods_code="RXZ3").board_snapshots.first().delete()
    counts = row_counts()

    seed_demo()

    assert row_counts() == {**counts, "board snapshots": counts["board snapshots"] + 1}
    assert authenticate(
        RequestFactory().post("/accounts/login/"),
        username=participant.email,
        password="a-new-password-123",
    )
    assert not authenticate(
        RequestFactory().post("/accounts/login/"),
        username=participant.email,
        password=run.DEMO_PASSWORD,
    )


def test_the_demo_is_the_same_on_every_machine():
    assert generated_people() == generated_people()
    emails = [p.email for p in generated_people()]
    assert len(emails) == len(set(emails))


def test_refuses_without_force_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(
        CommandError, match=r"known, published password.*must not run against production data"
    ):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


def test_runs_without_force_when_debug_is_on(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    assert Trust.objects.count() == 3


def test_explains_missing_role_groups(db):
    Group.objects.filter(name=AccessRole.FACILITATOR).delete()
    with pytest.raises(CommandError, match="migrate"):
        seed_demo()
    assert not Trust.objects.exists()  # one transaction: nothing half-seeded


def test_seeds_certificates_for_the_completions_one_revoked_one_reissued(seeded):
    participant = User.objects.get(email=LOGIN_EMAILS[AccessRole.PARTICIPANT])
    # Leading Together's completions (demo.reports' pilot predates certificates).
    completed = Enrolment.objects.filter(
        status=EnrolmentStatus.COMPLETED, cohort__programme__slug="leading-together"
    )
    assert completed.exists()
    # Every completion has a certificate; the participant's is valid, with its PDF.
    assert not completed.filter(certificates__isnull=True).exists()
    mine = Certificate.objects.get(enrolment__person=participant)
    assert mine.status == "valid" and mine.pdf and len(mine.sha256) == 64
    assert mine.signatory_name and mine.template.signature_image
    statuses = list(Certificate.objects.values_list("status", flat=True))
    assert statuses.count("revoked") == 1 and statuses.count("superseded") == 1
    old = Certificate.objects.get(status="superseded")
    assert old.superseded_by.status == "valid"
    assert statuses.count("pending") == 0


def test_seeds_last_months_report_for_the_first_trust_rendered(seeded):
    from reports.monthly import previous_month

    lead = User.objects.get(email=LOGIN_EMAILS[AccessRole.TRUST_REPORTING_LEAD])
    [report] = MonthlyReport.objects.all()
    assert (report.trust, report.month) == (lead.trust, previous_month())
    assert report.is_ready and report.pdf and len(report.sha256) == 64
    # The lead's copy is made with the render; its email waits in the outbox for the worker.
    assert MonthlyReportEmail.objects.filter(report=report, person=lead).exists()


def test_seeds_self_assessments_and_follow_up_surveys(seeded):
    from outcomes.models import SelfAssessment, SurveyInvitation
    from outcomes.selectors import relationship_counts

    # Leading Together's (demo.reports' pilot programme has none: its figures are roles).
    completed = Enrolment.objects.filter(
        status=EnrolmentStatus.COMPLETED, cohort__programme__slug="leading-together"
    )
    assert SelfAssessment.objects.filter(stage="before").count() == completed.count()
    assert SelfAssessment.objects.filter(stage="after").count() == completed.count()
    participant = User.objects.get(email=LOGIN_EMAILS[AccessRole.PARTICIPANT])
    assert SelfAssessment.objects.filter(enrolment__person=participant).count() == 2
    # The participant's completion survey is the one pending: due, not yet sent.
    [pending] = SurveyInvitation.objects.filter(sent_at__isnull=True, kind="completion")
    assert pending.enrolment.person == participant
    assert relationship_counts()["completion_total"] > 10


def test_the_reporting_leads_dashboard_has_something_to_show(seeded):
    """demo.reports: the pilot cohort's clinicians have reached their 12- and 24-month days,
    and enough of them hold leadership roles that the figures are shown, not suppressed."""
    from reports import dashboard
    from reports.selectors import ReportFilter

    trust = Trust.objects.get(ods_code=trusts.FIRST_TRUST)
    rows = dashboard.build(ReportFilter(trust=trust))["leadership"].rows
    twelve, twenty_four = rows[1].cells, rows[2].cells
    assert twelve[1].shown and twelve[1].value >= 5 and twelve[2].shown
    assert twenty_four[1].shown and twenty_four[1].value > twelve[1].value
    assert (
        seed_demo()
        and dashboard.build(ReportFilter(trust=trust))["leadership"].rows[1].cells[1].value
        == twelve[1].value
    )  # a rerun adds nothing


def test_the_reporting_leads_outcome_tables_have_answers_at_every_stage(seeded):
    """demo.follow_ups and demo.outcomes: the reporting lead's dashboard shows answers when
    they enrolled, at completion and 12 months after, and a self-assessment before and after
    — numbers, not only "<5" — and no 12-month survey is left overdue for beat to email."""
    from outcomes.models import SurveyInvitation
    from reports import dashboard
    from reports.selectors import ReportFilter

    trust = Trust.objects.get(ods_code=trusts.FIRST_TRUST)
    board = dashboard.build(ReportFilter(trust=trust))
    total = next(row for row in board["relationship_after"].rows if row.is_total).cells
    when_enrolled, at_completion, after_a_year = total[0], total[2], total[4]
    assert when_enrolled.value > at_completion.value >= after_a_year.value >= 5
    assert any(row.cells[5].shown for row in board["outlook"].rows if not row.is_total)
    assert all(row.cells[0].value >= 5 for row in board["self_assessment"].rows)
    assert any(row.cells[4].shown for row in board["self_assessment"].rows)
    overdue = SurveyInvitation.objects.filter(
        kind="twelve_months", sent_at__isnull=True, due_at__lte=timezone.now()
    )
    assert not overdue.exists()


def test_the_demo_participant_has_a_role_history_and_the_hr_example_imports(seeded):
    """My roles shows the demo participant's history, and docs/hr-extract-example.csv, checked
    by the demo administrator, finds every person and has one of each outcome to show."""
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from people import role_import

    participant = User.objects.get(email=LOGIN_EMAILS[AccessRole.PARTICIPANT])
    assert participant.role_appointments.count() >= 2
    admin = User.objects.get(email=LOGIN_EMAILS[AccessRole.PROGRAMME_ADMINISTRATOR])
    example = Path(__file__).resolve().parent.parent / "docs" / "hr-extract-example.csv"
    upload = SimpleUploadedFile(example.name, example.read_bytes())
    check = role_import.role_import_check(by=admin, trust=admin.trust, uploaded=upload)
    assert check.ok, [(row.number, row.errors) for row in check.bad_rows]
    assert check.summary == {"new": 1, "end_set": 1, "unchanged": 4}
