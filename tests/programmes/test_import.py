"""Importing participants and enrolments from a file (programmes.services.imports): the check
lists every bad row and writes nothing; the import writes every row in one transaction, or
none, through the account, invitation and enrolment services."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Invitation
from outbox.models import OutboxMessage
from people.access import AccessRole
from people.models import User
from programmes import services
from programmes.models import Enrolment, EnrolmentEvent, EnrolmentStatus
from programmes.services import imports
from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, UserFactory
from tests.programmes.import_files import HEADER, csv_upload, row, xlsx_upload

pytestmark = pytest.mark.django_db

S = EnrolmentStatus


def written():
    """Everything an import writes, counted."""
    return (
        User.objects.count(),
        Invitation.objects.count(),
        Enrolment.objects.count(),
        EnrolmentEvent.objects.count(),
        OutboxMessage.objects.count(),
    )


def errors_by_row(check):
    return {r.number: r.errors for r in check.bad_rows}


def test_the_check_lists_every_bad_row_with_its_reason_and_writes_nothing(
    administrator, cohort, trust_b, participant
):
    other_cohort = CohortFactory(host_trust=trust_b)
    EnrolmentFactory(person=participant, cohort=cohort)
    unfinished = UserFactory(email="unfinished@northshire.nhs.uk", trust=cohort.host_trust)
    User.objects.filter(pk=unfinished.pk).update(job_title="")
    rows = [
        row("good@northshire.nhs.uk", cohort),  # 2
        row("not-an-email", cohort),  # 3
        row("nowhere@northshire.nhs.uk", cohort, trust="RZZ9"),  # 4
        row("unknown.cohort@northshire.nhs.uk", 999_999),  # 5
        row("other.cohort@northshire.nhs.uk", other_cohort),  # 6
        row("good@northshire.nhs.uk", cohort),  # 7: the same as row 2
        row(participant.email, cohort, group="Medical"),  # 8: already enrolled
        row("unfinished@northshire.nhs.uk", cohort),  # 9: their profile lacks a job title
        row("southvale@southvale.nhs.uk", cohort, trust="RSV"),  # 10: not a trust of theirs
        row("doctor@northshire.nhs.uk", cohort, group="Medical"),  # 11: no GMC number
        row("manager@northshire.nhs.uk", cohort, registration="1234567"),  # 12
        row("who@northshire.nhs.uk", cohort, group="Porter"),  # 13
        row("nmc@northshire.nhs.uk", cohort, group="nursing_midwifery", registration="1234"),
    ]
    before = written()

    check = services.enrolments_import_check(by=administrator, uploaded=csv_upload(rows))

    found = errors_by_row(check)
    assert sorted(found) == list(range(3, 15))
    assert found[3] == ["This is not a valid email address."]
    assert found[4] == ["Unknown trust code “RZZ9”."]
    assert found[5] == [
        "Unknown cohort “999999”. Give the id of a cohort your trust hosts (they are listed on "
        "the import page)."
    ]
    # Another trust's cohort gets the very same words: nothing confirms it exists.
    assert found[6] == [found[5][0].replace("999999", str(other_cohort.pk))]
    assert found[7] == ["The same person and cohort are also on row 2."]
    assert found[8] == ["This person already has a place or an application in this cohort."]
    assert found[9] == [
        "Their profile is not complete (missing: job title). They are asked for it when they "
        "next sign in; enrol them once it is complete."
    ]
    assert found[10] == [
        "You can add people only to a trust you administer, and RSV is not one of them."
    ]
    assert found[11] == [
        "Medical staff need their General Medical Council (GMC) registration number."
    ]
    assert found[12] == [
        "Only clinicians give a registration number: leave it blank for management and "
        "administration staff."
    ]
    assert found[13][0].startswith("Unknown professional group “Porter”. Use one of: Medical,")
    assert found[14] == [
        "Registration number: This is not a valid number: an NMC PIN is 2 digits, a letter, "
        "4 digits and a letter, e.g. 12A3456E."
    ]
    assert not check.ok
    # The one good row says what would happen to it.
    [good] = [r for r in check.rows if not r.errors]
    assert (good.number, good.new_account, good.outcome) == (2, True, S.ENROLLED)

    result = services.enrolments_import(by=administrator, uploaded=csv_upload(rows))
    assert not result.imported
    assert errors_by_row(result) == found
    assert written() == before
    assert mail.outbox == []


def test_a_good_file_makes_accounts_invites_them_and_enrols_everyone_in_one_go(
    administrator, cohort, trust_b, django_capture_on_commit_callbacks
):
    # Anyone may enrol in a published cohort, so another trust's person may be enrolled in
    # trust A's cohort; their account stays as it is.
    southvale = ClinicianFactory(email="nurse@southvale.nhs.uk", trust=trust_b, job_title="Sister")
    rows = [
        row("Manager@Northshire.nhs.uk", cohort, first="Mary", last="Seacole"),
        row(
            "doctor@northshire.nhs.uk",
            cohort,
            group="medical",
            registration="7654321",
            job="Consultant",
            first="John",
            last="Snow",
        ),
        row("nurse@southvale.nhs.uk", cohort, trust="rsv", first="Ignored", job="Ignored"),
    ]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        check = services.enrolments_import(by=administrator, uploaded=csv_upload(rows))
        # Within the transaction: the emails wait in the outbox until it commits.
        assert mail.outbox == []
    assert check.imported, errors_by_row(check)
    assert check.summary == {
        "rows": 3,
        "new_accounts": 2,
        "existing_accounts": 1,
        "enrolled": 3,
        "waitlisted": 0,
        "pending_approval": 0,
    }
    manager = User.objects.get(email="manager@northshire.nhs.uk")
    doctor = User.objects.get(email="doctor@northshire.nhs.uk")
    assert (manager.trust, manager.first_name, manager.professional_group) == (
        cohort.host_trust,
        "Mary",
        "management",
    )
    assert (doctor.registration_body, doctor.registration_number) == ("GMC", "7654321")
    assert not manager.has_usable_password()  # until they accept the invitation
    southvale.refresh_from_db()
    assert (southvale.first_name, southvale.job_title) != ("Ignored", "Ignored")
    assert southvale.trust == trust_b
    assert set(Invitation.objects.values_list("email", flat=True)) == {
        "manager@northshire.nhs.uk",
        "doctor@northshire.nhs.uk",
    }
    assert OutboxMessage.objects.filter(task_name="accounts.tasks.send_invitation").count() == 2
    events = EnrolmentEvent.objects.filter(enrolment__cohort=cohort)
    assert {(e.by, e.reason) for e in events} == {(administrator, imports.IMPORT_REASON)}
    assert set(Enrolment.objects.values_list("person__email", "status")) == {
        ("manager@northshire.nhs.uk", S.ENROLLED),
        ("doctor@northshire.nhs.uk", S.ENROLLED),
        ("nurse@southvale.nhs.uk", S.ENROLLED),
    }

    for callback in callbacks:
        callback()
    invitations = [m for m in mail.outbox if "/accounts/invitation/" in m.body]
    assert sorted(m.to[0] for m in invitations) == [
        "doctor@northshire.nhs.uk",
        "manager@northshire.nhs.uk",
    ]


def test_capacity_and_the_mix_hold_and_the_rest_join_the_waiting_list_in_file_order(
    administrator, trust_a
):
    cohort = CohortFactory(host_trust=trust_a, capacity=3, reserved_for_clinicians=1)
    rows = [row(f"m{n}@northshire.nhs.uk", cohort) for n in range(3)] + [
        row("doc@northshire.nhs.uk", cohort, group="Medical", registration="7000123"),
        row("m3@northshire.nhs.uk", cohort),
    ]

    check = services.enrolments_import_check(by=administrator, uploaded=csv_upload(rows))
    predicted = [r.outcome for r in check.rows]
    # Two managers take the unreserved seats; the third waits (one seat is a clinician's),
    # the clinician takes it, and the last manager waits too.
    assert predicted == [S.ENROLLED, S.ENROLLED, S.WAITLISTED, S.ENROLLED, S.WAITLISTED]

    result = services.enrolments_import(by=administrator, uploaded=csv_upload(rows))
    assert result.imported
    made = dict(Enrolment.objects.values_list("person__email", "status"))
    assert [made[r[0]] for r in rows] == predicted
    waiting = Enrolment.objects.filter(cohort=cohort).waitlist()
    assert [e.person.email for e in waiting] == ["m2@northshire.nhs.uk", "m3@northshire.nhs.uk"]


def test_a_cohort_with_sponsor_approval_takes_applications_naming_the_sponsor(
    administrator, trust_a, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(host_trust=trust_a, requires_sponsor_approval=True)
    known = UserFactory(
        email="known@northshire.nhs.uk",
        trust=trust_a,
        sponsor_name="Dr Ada O'Connor",
        sponsor_email="ada.oconnor@northshire.nhs.uk",
    )
    header = [*HEADER, "Sponsor name", "Sponsor email"]
    rows = [
        [*row("a@northshire.nhs.uk", cohort), "Grace Hopper", "Grace.Hopper@northshire.nhs.uk"],
        [*row("b@northshire.nhs.uk", cohort), "", ""],
        [*row("c@northshire.nhs.uk", cohort), "Myself", "c@northshire.nhs.uk"],
        [*row("d@northshire.nhs.uk", cohort), "Someone", "not-an-address"],
        [*row(known.email, cohort), "", ""],  # their profile names their sponsor
    ]
    check = services.enrolments_import_check(
        by=administrator, uploaded=csv_upload(rows, header=header)
    )
    assert errors_by_row(check) == {
        3: [
            f"Cohort {cohort.pk} needs each person's sponsor to approve their place: give the "
            "sponsor name and sponsor email columns (their line manager, or the supervising "
            "consultant of a doctor in training)."
        ],
        4: ["The sponsor cannot be the person themselves."],
        5: ["The sponsor email is not a valid email address."],
    }
    assert check.rows[0].outcome == S.PENDING_APPROVAL

    good = [rows[0], rows[4]]
    with django_capture_on_commit_callbacks(execute=True):
        result = services.enrolments_import(
            by=administrator, uploaded=csv_upload(good, header=header)
        )
    assert result.imported, errors_by_row(result)
    assert set(Enrolment.objects.values_list("person__email", "status", "sponsor_email")) == {
        ("a@northshire.nhs.uk", S.PENDING_APPROVAL, "grace.hopper@northshire.nhs.uk"),
        (known.email, S.PENDING_APPROVAL, "ada.oconnor@northshire.nhs.uk"),
    }
    # Each sponsor is asked, by email, after commit (programmes.emails).
    assert {"grace.hopper@northshire.nhs.uk", "ada.oconnor@northshire.nhs.uk"} <= {
        m.to[0] for m in mail.outbox
    }


def test_an_administrator_enrols_outside_the_enrolment_window_but_not_in_a_draft_or_ended_cohort(
    administrator, trust_a
):
    now = timezone.now()
    closed = CohortFactory(
        host_trust=trust_a,
        enrolment_opens_at=now - datetime.timedelta(days=30),
        enrolment_closes_at=now - datetime.timedelta(days=1),
    )
    not_yet = CohortFactory(
        host_trust=trust_a,
        enrolment_opens_at=now + datetime.timedelta(days=1),
        enrolment_closes_at=now + datetime.timedelta(days=30),
    )
    draft = CohortFactory(host_trust=trust_a, status="draft")
    cancelled = CohortFactory(host_trust=trust_a, status="cancelled")
    ended = CohortFactory(
        host_trust=trust_a,
        starts_on=timezone.localdate() - datetime.timedelta(days=60),
        ends_on=timezone.localdate() - datetime.timedelta(days=2),
        enrolment_opens_at=now - datetime.timedelta(days=90),
        enrolment_closes_at=now - datetime.timedelta(days=70),
    )
    cohorts = (closed, not_yet, draft, cancelled, ended)
    rows = [row(f"p{c.pk}@northshire.nhs.uk", c) for c in cohorts]

    check = services.enrolments_import_check(by=administrator, uploaded=csv_upload(rows))
    assert errors_by_row(check) == {
        4: [f"Cohort {draft.pk} is a draft: publish it before enrolling people."],
        5: [f"Cohort {cancelled.pk} has been cancelled."],
        6: [f"Cohort {ended.pk} ended on {ended.ends_on:%-d %B %Y}."],
    }
    good = services.enrolments_import(by=administrator, uploaded=csv_upload(rows[:2]))
    assert good.imported
    assert Enrolment.objects.filter(cohort__in=[closed, not_yet], status=S.ENROLLED).count() == 2


def test_a_failure_on_the_last_row_rolls_back_everything_written_before_it(
    administrator, cohort, monkeypatch, django_capture_on_commit_callbacks
):
    """Rows 2 and 3 have been written (accounts, invitations, enrolments, outbox rows) when
    row 4 fails: none of it stays, and no email goes."""
    rows = [row(f"p{n}@northshire.nhs.uk", cohort) for n in range(3)]
    real = imports.enrolment_create
    seen = []

    def failing_on_the_last_row(*, person, **kwargs):
        seen.append(person.email)
        if person.email == "p2@northshire.nhs.uk":
            assert Enrolment.objects.count() == 2  # the earlier rows are written by now
            raise services.EnrolmentClosed("Enrolment for this cohort has closed.")
        return real(person=person, **kwargs)

    monkeypatch.setattr(imports, "enrolment_create", failing_on_the_last_row)
    before = written()
    with django_capture_on_commit_callbacks(execute=True):
        check = services.enrolments_import(by=administrator, uploaded=csv_upload(rows))

    assert seen == [r[0] for r in rows]
    assert not check.imported
    assert errors_by_row(check) == {4: ["Enrolment for this cohort has closed."]}
    assert all(not r.outcome for r in check.rows)
    assert written() == before
    assert mail.outbox == []


def test_an_unexpected_error_half_way_also_rolls_everything_back(
    administrator, cohort, monkeypatch
):
    rows = [row(f"p{n}@northshire.nhs.uk", cohort) for n in range(3)]
    real = imports.account_invitation_create

    def breaking(*, person, **kwargs):
        if person.email == "p2@northshire.nhs.uk":
            raise RuntimeError("the database went away")
        return real(person=person, **kwargs)

    monkeypatch.setattr(imports, "account_invitation_create", breaking)
    before = written()
    with pytest.raises(RuntimeError):
        services.enrolments_import(by=administrator, uploaded=csv_upload(rows))
    assert written() == before


def test_someone_taking_an_address_between_check_and_import_is_explained(administrator, cohort):
    rows = [row("a@northshire.nhs.uk", cohort), row("late@northshire.nhs.uk", cohort)]
    check = services.enrolments_import_check(by=administrator, uploaded=csv_upload(rows))
    assert check.ok
    UserFactory(email="late@northshire.nhs.uk", trust=cohort.host_trust, job_title="")
    before = written()

    result = services.enrolments_import(by=administrator, rows=check.cells())

    assert not result.imported
    assert errors_by_row(result)[3][0].startswith("Their profile is not complete")
    assert written() == before


def test_one_new_person_in_two_cohorts_gets_one_account_and_the_same_details_are_needed(
    administrator, cohort, trust_a
):
    second = CohortFactory(host_trust=trust_a)
    rows = [row("twice@northshire.nhs.uk", cohort), row("twice@northshire.nhs.uk", second)]
    check = services.enrolments_import(by=administrator, uploaded=csv_upload(rows))
    assert check.imported
    assert check.rows[1].same_person_as == 2
    assert User.objects.filter(email="twice@northshire.nhs.uk").count() == 1
    assert Invitation.objects.count() == 1
    assert Enrolment.objects.filter(person__email="twice@northshire.nhs.uk").count() == 2

    rows = [
        row("again@northshire.nhs.uk", cohort),
        row("again@northshire.nhs.uk", second, last="X"),
    ]
    check = services.enrolments_import_check(by=administrator, uploaded=csv_upload(rows))
    assert errors_by_row(check)[3][0].startswith("Row 2 gives other details for this person")


def test_an_existing_account_is_found_whatever_the_case_of_its_address(administrator, cohort):
    UserFactory(email="known@northshire.nhs.uk", trust=cohort.host_trust)
    check = services.enrolments_import(
        by=administrator, uploaded=csv_upload([row("KNOWN@Northshire.NHS.uk", cohort)])
    )
    assert check.imported, errors_by_row(check)
    assert not check.rows[0].new_account
    assert User.objects.filter(email__iexact="known@northshire.nhs.uk").count() == 1


def test_an_existing_account_is_never_moved_to_another_trust(administrator, cohort, trust_b):
    UserFactory(email="someone@southvale.nhs.uk", trust=trust_b)
    check = services.enrolments_import_check(
        by=administrator, uploaded=csv_upload([row("someone@southvale.nhs.uk", cohort)])
    )
    [bad] = check.bad_rows
    assert bad.errors[0].startswith(
        "This person already has a Tandem account, with another trust than RNS."
    )


def test_a_waiting_invitation_or_a_registration_number_in_use_is_refused(
    administrator, cohort, participant
):
    from accounts.services import invitation_create

    invitation_create(
        email="invited@northshire.nhs.uk", trust=cohort.host_trust, invited_by=administrator
    )
    rows = [
        row("invited@northshire.nhs.uk", cohort),
        row(
            "copy@northshire.nhs.uk",
            cohort,
            group="Medical",
            registration=participant.registration_number,
        ),
        row("one@northshire.nhs.uk", cohort, group="Medical", registration="7111111"),
        row("two@northshire.nhs.uk", cohort, group="Medical", registration="7111111"),
    ]
    check = services.enrolments_import_check(by=administrator, uploaded=csv_upload(rows))
    assert errors_by_row(check) == {
        2: [
            "This person already has an invitation waiting. Once they have accepted it, "
            "import them again."
        ],
        3: ["Another person already has this registration number."],
        5: ["The same registration number is also on row 4."],
    }


def test_csv_and_xlsx_say_the_same(administrator, cohort, trust_b):
    rows = [
        row("a@northshire.nhs.uk", cohort),
        row("b@northshire.nhs.uk", cohort, group="Medical", registration="7222222"),
        row("c@northshire.nhs.uk", 999_999),
    ]
    from_csv = services.enrolments_import_check(by=administrator, uploaded=csv_upload(rows))
    from_xlsx = services.enrolments_import_check(by=administrator, uploaded=xlsx_upload(rows))
    assert [(r.number, r.errors, r.outcome) for r in from_xlsx.rows] == [
        (r.number, r.errors, r.outcome) for r in from_csv.rows
    ]
    assert errors_by_row(from_xlsx).keys() == {4}
    imported = services.enrolments_import(by=administrator, uploaded=xlsx_upload(rows[:2]))
    assert imported.imported
    assert User.objects.get(email="b@northshire.nhs.uk").registration_number == "7222222"


def test_headers_are_read_in_any_case_order_and_spacing_and_wrong_ones_are_named(
    administrator, cohort
):
    header = [
        "  E-MAIL ".replace("-", ""),
        "First_Name",
        "LAST  NAME",
        "Trust Code",
        "professional-group",
        "Job title",
        "Registration number",
        "Cohort",
    ]
    reordered = [header[7], *header[:7]]
    cells = row("a@northshire.nhs.uk", cohort)
    check = services.enrolments_import_check(
        by=administrator, uploaded=csv_upload([[cells[7], *cells[:7]]], header=reordered)
    )
    assert check.ok, (check.file_errors, errors_by_row(check))

    wrong = ["mail", *HEADER[1:6], "gmc", "cohort"]
    check = services.enrolments_import_check(
        by=administrator, uploaded=csv_upload([cells], header=wrong)
    )
    assert check.file_errors == [
        "The first row must name the columns email, first name, last name, trust code, "
        "professional group, job title, registration number, cohort (in any order); missing: "
        "email, registration number; not known: mail, gmc."
    ]
    assert written()[2] == 0


def test_the_check_reads_the_world_in_constant_queries(
    administrator, cohort, trust_a, participant, django_assert_max_num_queries
):
    second = CohortFactory(host_trust=trust_a)
    existing = [ClinicianFactory(trust=trust_a) for _ in range(20)]
    rows = [row(p.email, second, group="Medical") for p in existing]
    rows += [row(f"p{n}@northshire.nhs.uk", cohort) for n in range(300)]
    rows += [
        row(f"d{n}@northshire.nhs.uk", cohort, group="Medical", registration=f"{7300000 + n}")
        for n in range(100)
    ]
    upload = csv_upload(rows)
    # 1 the administrator's grants, 2 their cohorts, 3 trusts by code, 4 the trusts they may
    # assign, 5 accounts by email, 6 waiting invitations, 7 live enrolments, 8 registration
    # numbers in use, 9 seats taken per cohort.
    with django_assert_max_num_queries(9):
        check = services.enrolments_import_check(by=administrator, uploaded=upload)
    assert check.ok, errors_by_row(check)


def test_a_superuser_may_import_into_any_trust_and_cohort(superuser, trust_b):
    cohort_b = CohortFactory(host_trust=trust_b)
    check = services.enrolments_import(
        by=superuser, uploaded=csv_upload([row("x@southvale.nhs.uk", cohort_b, trust="RSV")])
    )
    assert check.imported
    assert User.objects.get(email="x@southvale.nhs.uk").trust == trust_b


def test_someone_who_administers_no_trust_imports_nothing(other_trust_lead, cohort):
    lead = other_trust_lead
    check = services.enrolments_import(
        by=lead, uploaded=csv_upload([row("x@northshire.nhs.uk", cohort)])
    )
    assert not check.imported
    assert errors_by_row(check)[2][0].startswith("Unknown cohort")
    assert not User.objects.filter(email="x@northshire.nhs.uk").exists()
    assert AccessRole.TRUST_REPORTING_LEAD in lead.role_names
