"""Applying as a pair (programmes.services.pairs): a clinician and a manager are enrolled
together or waitlisted together, and promoted together; the invitation's emails go through
the outbox once."""

import pytest
from django.core import mail

from programmes import services, tasks
from programmes.models import Enrolment, EnrolmentStatus, PairApplication, PairStatus
from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

S = EnrolmentStatus
ANSWERS = {
    "goals": "Learn how theatre lists are planned.",
    "baseline_relationship": 3,
    "baseline_outlook": 1,
    "current_role": "Specialty registrar",
}


@pytest.fixture
def doctor(trust_a):
    return ClinicianFactory(
        trust=trust_a, first_name="Priya", last_name="Shah", email="priya.shah@northshire.nhs.uk"
    )


@pytest.fixture
def manager(trust_a):
    return UserFactory(
        trust=trust_a, first_name="Tom", last_name="Evans", email="tom.evans@northshire.nhs.uk"
    )


def invite(inviter, cohort, email, **kwargs):
    return services.pair_invite(
        inviter=inviter, cohort=cohort, invitee_email=email, answers=ANSWERS, **kwargs
    )


def accept(application, person, **answers):
    return services.pair_accept(
        application=application, person=person, answers={**ANSWERS, **answers}
    )


def fill(cohort, *, clinicians=0, managers=0):
    for _ in range(clinicians):
        EnrolmentFactory(cohort=cohort, person=ClinicianFactory())
    for _ in range(managers):
        EnrolmentFactory(cohort=cohort, person=UserFactory())


# --- inviting -----------------------------------------------------------------------------------


def test_an_invitation_enrols_nobody_yet_and_emails_the_colleague_once(
    cohort, doctor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = invite(doctor, cohort, " Tom.Evans@Northshire.nhs.uk ", message="Shall we?")

    assert application.status == PairStatus.INVITED
    assert application.invitee_email == "tom.evans@northshire.nhs.uk"
    assert application.inviter_answers["goals"] == ANSWERS["goals"]
    assert not Enrolment.objects.exists()
    [message] = mail.outbox
    assert message.to == ["tom.evans@northshire.nhs.uk"]
    assert (
        message.subject == f"Priya Shah invites you to apply together for {cohort.programme.title}"
    )
    assert f"/learn/pairs/{application.pk}/" in message.body
    assert "Shall we?" in message.body
    assert message.body.count("http://") + message.body.count("https://") >= 2  # absolute links
    # A second delivery of the task (the outbox delivers at least once) sends nothing.
    assert tasks.send_pair_invitation(application.pk) == "already sent"
    assert len(mail.outbox) == 1


def test_a_rolled_back_invitation_sends_nothing(cohort, doctor, django_capture_on_commit_callbacks):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invite(doctor, cohort, "tom.evans@northshire.nhs.uk")
        raise RuntimeError("the request failed after the invitation")
    assert not PairApplication.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "email, message",
    [
        ("not-an-address", "Enter your colleague's email address"),
        ("priya.shah@northshire.nhs.uk", "Name a colleague, not yourself."),
    ],
)
def test_a_bad_colleague_address_is_refused(cohort, doctor, email, message):
    with pytest.raises(services.PairRefused, match=message):
        invite(doctor, cohort, email)
    assert not PairApplication.objects.exists()


def test_two_clinicians_cannot_apply_as_a_pair(cohort, doctor):
    other = ClinicianFactory(email="sam.lee@northshire.nhs.uk")
    with pytest.raises(services.PairRefused, match="one clinician and one manager"):
        invite(doctor, cohort, other.email)
    assert not PairApplication.objects.exists()


def test_one_open_invitation_per_person_per_cohort(cohort, doctor, manager):
    invite(doctor, cohort, manager.email)
    with pytest.raises(services.PairRefused, match="already invited"):
        invite(doctor, cohort, "someone.else@northshire.nhs.uk")
    assert PairApplication.objects.count() == 1


def test_nobody_invites_into_a_cohort_they_or_their_colleague_already_applied_for(
    cohort, doctor, manager
):
    EnrolmentFactory(cohort=cohort, person=manager)
    with pytest.raises(services.AlreadyEnrolled, match="Your colleague has already applied"):
        invite(doctor, cohort, manager.email)
    EnrolmentFactory(cohort=cohort, person=doctor)
    with pytest.raises(services.AlreadyEnrolled):
        invite(doctor, cohort, "new.colleague@northshire.nhs.uk")
    assert not PairApplication.objects.exists()


def test_an_invitation_outside_the_enrolment_window_is_refused(doctor, manager, trust_a):
    from django.utils import timezone

    closed = CohortFactory(host_trust=trust_a, enrolment_closes_at=timezone.now())
    with pytest.raises(services.EnrolmentClosed):
        invite(doctor, closed, manager.email)


# --- accepting ----------------------------------------------------------------------------------


def test_accepting_enrols_both_together_with_their_own_answers(cohort, doctor, manager):
    application = invite(doctor, cohort, manager.email)
    mine, theirs = accept(application, manager, goals="Understand clinical risk.")

    assert (mine.person, theirs.person) == (doctor, manager)
    assert mine.status == theirs.status == S.ENROLLED
    assert mine.pair_id == theirs.pair_id == application.pk
    assert mine.goals == ANSWERS["goals"] and theirs.goals == "Understand clinical risk."
    assert services.partner_of(mine) == theirs
    application.refresh_from_db()
    assert application.status == PairStatus.ACCEPTED
    assert application.invitee == manager
    assert application.inviter_answers == {}  # moved onto the inviter's enrolment
    assert "Applied as a pair with Tom Evans." in mine.events.get().reason


def test_when_only_one_of_them_fits_both_join_the_waiting_list_together(trust_a, doctor, manager):
    cohort = CohortFactory(host_trust=trust_a, capacity=3)
    fill(cohort, clinicians=1, managers=1)  # one place left: not enough for two
    application = invite(doctor, cohort, manager.email)
    mine, theirs = accept(application, manager)

    assert mine.status == theirs.status == S.WAITLISTED
    assert mine.waitlisted_at == theirs.waitlisted_at
    assert Enrolment.objects.filter(cohort=cohort).seated().count() == 2


def test_the_reserved_mix_decides_whether_a_pair_fits(trust_a, doctor, manager):
    # Four places, two held for each group: the pair takes one of each.
    cohort = CohortFactory(
        host_trust=trust_a, capacity=4, reserved_for_clinicians=2, reserved_for_managers=2
    )
    fill(cohort, clinicians=2)
    application = invite(doctor, cohort, manager.email)
    mine, theirs = accept(application, manager)
    # The clinicians' places are taken and the rest are held for managers: no place for the
    # doctor, so neither is seated.
    assert mine.status == theirs.status == S.WAITLISTED


def test_only_the_colleague_it_was_sent_to_may_accept(cohort, doctor, manager):
    application = invite(doctor, cohort, manager.email)
    stranger = UserFactory(email="stranger@northshire.nhs.uk")
    with pytest.raises(services.NotAllowed):
        accept(application, stranger)
    with pytest.raises(services.NotAllowed):
        accept(application, doctor)  # the inviter cannot accept their own invitation
    assert not Enrolment.objects.exists()


def test_an_invitee_on_the_same_side_is_refused_on_acceptance(cohort, doctor):
    # The address had no account when invited; a clinician signed up with it.
    application = invite(doctor, cohort, "new.person@northshire.nhs.uk")
    same_side = ClinicianFactory(email="new.person@northshire.nhs.uk")
    with pytest.raises(services.PairRefused, match="both clinicians"):
        accept(application, same_side)
    assert not Enrolment.objects.exists()
    application.refresh_from_db()
    assert application.status == PairStatus.INVITED


def test_an_inviter_who_enrolled_alone_meanwhile_cannot_be_paired(cohort, doctor, manager):
    application = invite(doctor, cohort, manager.email)
    services.pair_cancel(application=application, by=doctor)
    services.enrolment_create(person=doctor, cohort=cohort, by=doctor)
    with pytest.raises(services.PairRefused, match="cancelled"):
        accept(application, manager)

    again = invite(UserFactory(email="third@northshire.nhs.uk"), cohort, "x@northshire.nhs.uk")
    assert again.status == PairStatus.INVITED
    assert Enrolment.objects.filter(person=manager).count() == 0


def test_an_answered_invitation_cannot_be_answered_again(cohort, doctor, manager):
    application = invite(doctor, cohort, manager.email)
    accept(application, manager)
    with pytest.raises(services.PairRefused, match="already been accepted"):
        accept(application, manager)
    with pytest.raises(services.PairRefused, match="already been accepted"):
        services.pair_decline(application=application, person=manager)
    assert Enrolment.objects.count() == 2


def test_declining_tells_the_inviter_once_and_enrols_nobody(
    cohort, doctor, manager, django_capture_on_commit_callbacks
):
    application = invite(doctor, cohort, manager.email)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.pair_decline(application=application, person=manager, reason="Not this year.")
    application.refresh_from_db()
    assert application.status == PairStatus.DECLINED
    [message] = mail.outbox
    assert message.to == [doctor.email]
    assert "Tom Evans declined" in message.body and "Not this year." in message.body
    assert tasks.send_pair_declined(application.pk) == "already sent"
    assert not Enrolment.objects.exists()


def test_a_cancelled_invitation_is_not_sent_by_a_late_worker(cohort, doctor, manager):
    application = invite(doctor, cohort, manager.email)  # on_commit not run: not sent yet
    services.pair_cancel(application=application, by=doctor)
    assert tasks.send_pair_invitation(application.pk) == PairStatus.CANCELLED
    assert mail.outbox == []


def test_only_the_inviter_may_cancel(cohort, doctor, manager):
    application = invite(doctor, cohort, manager.email)
    with pytest.raises(services.NotAllowed):
        services.pair_cancel(application=application, by=manager)


# --- sponsor approval: placed together ----------------------------------------------------------


def test_in_an_approval_cohort_the_pair_is_placed_when_the_second_sponsor_approves(
    trust_a, doctor, manager
):
    cohort = CohortFactory(host_trust=trust_a, requires_sponsor_approval=True)
    sponsor = {"sponsor_name": "Dr Jones", "sponsor_email": "jones@northshire.nhs.uk"}
    application = services.pair_invite(
        inviter=doctor, cohort=cohort, invitee_email=manager.email, answers={**ANSWERS, **sponsor}
    )
    mine, theirs = accept(
        application, manager, sponsor_name="Ms Ward", sponsor_email="ward@northshire.nhs.uk"
    )
    assert mine.status == theirs.status == S.PENDING_APPROVAL

    services.enrolment_approve(enrolment=mine, by=None)
    mine.refresh_from_db()
    assert mine.status == S.WAITLISTED  # waits for the partner's sponsor, holding no seat
    assert Enrolment.objects.filter(cohort=cohort).seated().count() == 0

    services.enrolment_approve(enrolment=theirs, by=None)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == theirs.status == S.ENROLLED


def test_an_approval_cohort_pair_needs_both_sponsors(trust_a, doctor, manager):
    cohort = CohortFactory(host_trust=trust_a, requires_sponsor_approval=True)
    # The inviter must name one to invite (enrolment_create's rule, programmes.services)...
    with pytest.raises(services.ProfileIncomplete, match="needs your sponsor's approval"):
        invite(doctor, cohort, manager.email)
    assert not PairApplication.objects.exists()
    sponsor = {"sponsor_name": "Dr Jones", "sponsor_email": "jones@northshire.nhs.uk"}
    application = services.pair_invite(
        inviter=doctor, cohort=cohort, invitee_email=manager.email, answers={**ANSWERS, **sponsor}
    )
    # ...and the colleague to accept, someone other than themselves.
    with pytest.raises(services.ProfileIncomplete, match="needs your sponsor's approval"):
        accept(application, manager)
    with pytest.raises(services.ProfileIncomplete, match="cannot be your own"):
        accept(application, manager, sponsor_name="Me", sponsor_email=manager.email.upper())
    assert not Enrolment.objects.exists()
    accept(application, manager, sponsor_name="Ms Ward", sponsor_email="w@northshire.nhs.uk")
    manager.refresh_from_db()
    assert manager.sponsor_email == "w@northshire.nhs.uk"  # kept on the profile


def test_when_one_sponsor_declines_the_approved_partner_goes_on_alone(trust_a, doctor, manager):
    cohort = CohortFactory(host_trust=trust_a, requires_sponsor_approval=True)
    sponsor = {"sponsor_name": "Dr Jones", "sponsor_email": "jones@northshire.nhs.uk"}
    application = services.pair_invite(
        inviter=doctor, cohort=cohort, invitee_email=manager.email, answers={**ANSWERS, **sponsor}
    )
    mine, theirs = accept(application, manager, **sponsor)
    services.enrolment_approve(enrolment=mine, by=None)
    services.enrolment_decline(enrolment=theirs, by=None)
    mine.refresh_from_db()
    assert mine.status == S.ENROLLED  # waited for the partner; now takes a free place alone


# --- the waiting list: promoted together ---------------------------------------------------------


def waitlisted_pair(cohort, doctor, manager):
    application = invite(doctor, cohort, manager.email)
    mine, theirs = accept(application, manager)
    assert mine.status == theirs.status == S.WAITLISTED
    return mine, theirs


def test_a_waiting_pair_is_promoted_together_when_two_places_free(trust_a, doctor, manager):
    cohort = CohortFactory(host_trust=trust_a, capacity=2)
    seated = [EnrolmentFactory(cohort=cohort, person=ClinicianFactory()) for _ in range(2)]
    mine, theirs = waitlisted_pair(cohort, doctor, manager)

    services.enrolment_withdraw(enrolment=seated[0], by=seated[0].person, reason="")
    mine.refresh_from_db()
    assert mine.status == S.WAITLISTED  # one place is not enough for the pair

    result = services.enrolment_withdraw(enrolment=seated[1], by=seated[1].person, reason="")
    assert {e.pk for e in result.promoted} == {mine.pk, theirs.pk}
    assert Enrolment.objects.filter(cohort=cohort).seated().count() == 2


def test_a_single_person_behind_a_waiting_pair_takes_a_lone_free_place(trust_a, doctor, manager):
    cohort = CohortFactory(host_trust=trust_a, capacity=2)
    seated = [EnrolmentFactory(cohort=cohort, person=ClinicianFactory()) for _ in range(2)]
    mine, _theirs = waitlisted_pair(cohort, doctor, manager)
    single = services.enrolment_create(person=UserFactory(), cohort=cohort, by=None)
    assert single.status == S.WAITLISTED

    result = services.enrolment_withdraw(enrolment=seated[0], by=seated[0].person, reason="")
    assert [e.pk for e in result.promoted] == [single.pk]
    mine.refresh_from_db()
    assert mine.status == S.WAITLISTED


def test_an_administrator_promotes_a_pair_together_or_not_at_all(
    trust_a, doctor, manager, administrator
):
    cohort = CohortFactory(host_trust=trust_a, capacity=2)
    seated = [EnrolmentFactory(cohort=cohort, person=ClinicianFactory()) for _ in range(2)]
    mine, theirs = waitlisted_pair(cohort, doctor, manager)
    seated[0].status = S.WITHDRAWN
    seated[0].save()  # one place free, without the automatic promotion
    with pytest.raises(services.NoPlaceAvailable, match="promoted together"):
        services.enrolment_promote(enrolment=mine, by=administrator)
    seated[1].status = S.WITHDRAWN
    seated[1].save()
    services.enrolment_promote(enrolment=theirs, by=administrator)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == theirs.status == S.ENROLLED


def test_either_member_may_withdraw_alone(cohort, doctor, manager):
    application = invite(doctor, cohort, manager.email)
    mine, theirs = accept(application, manager)
    services.enrolment_withdraw(enrolment=mine, by=doctor, reason="")
    theirs.refresh_from_db()
    assert theirs.status == S.ENROLLED


def test_a_waiting_partner_left_alone_is_promoted_if_one_place_fits(trust_a, doctor, manager):
    cohort = CohortFactory(host_trust=trust_a, capacity=2)
    seated = [EnrolmentFactory(cohort=cohort, person=ClinicianFactory()) for _ in range(2)]
    mine, theirs = waitlisted_pair(cohort, doctor, manager)
    seated[0].status = S.WITHDRAWN
    seated[0].save()  # one place free, which the pair could not use
    services.enrolment_withdraw(enrolment=mine, by=doctor, reason="")
    theirs.refresh_from_db()
    assert theirs.status == S.ENROLLED


# --- data protection ----------------------------------------------------------------------------


def test_subject_access_and_erasure_cover_pair_invitations(cohort, doctor, manager, superuser):
    from privacy.registry import sources
    from privacy.services import person_erase

    application = invite(doctor, cohort, manager.email, message="A note about my rota")
    [source] = [s for s in sources() if s.name == "pair_applications"]
    [row] = source.exporter(manager)
    assert (row["you"], row["colleague"]) == ("were invited", "Priya Shah")
    [row] = source.exporter(doctor)
    assert row["colleague"] == manager.email and row["message"] == "A note about my rota"

    person_erase(person=manager, by=superuser, reason="Asked to be forgotten")
    application.refresh_from_db()
    assert application.status == PairStatus.CANCELLED  # nobody can accept it now
    assert (application.invitee_email, application.message) == ("", "")
    assert application.inviter_answers == {}
