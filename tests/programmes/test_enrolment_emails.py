"""The emails of enrolment (programmes.emails): which change sends which, queued in the
service's transaction through the outbox, each sent once however often the task runs, none
for a change rolled back. (tests/test_emails.py checks every one's words, links and layout.)"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction

from outbox.models import OutboxMessage
from privacy.services import person_erase
from programmes import emails, services
from programmes.models import EnrolmentAction, EnrolmentEvent, EnrolmentStatus
from programmes.tasks import send_enrolment_emails, send_sponsor_request
from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db
A, S = EnrolmentAction, EnrolmentStatus
SPONSOR = {"sponsor_name": "Dr Ada O'Connor", "sponsor_email": "ada.oconnor@nhs.net"}
TASK = "programmes.tasks.send_enrolment_emails"


def test_which_change_sends_which_email():
    """The one table, read as a sentence each: a change missing here sends nothing."""
    assert emails.NOTICES == {
        (A.APPLY, S.ENROLLED): ("enrolled",),
        (A.APPLY, S.WAITLISTED): ("waitlisted",),
        (A.APPLY, S.PENDING_APPROVAL): ("approval_requested",),
        (A.APPROVE, S.ENROLLED): ("approved",),
        (A.APPROVE, S.WAITLISTED): ("approved",),
        (A.DECLINE, S.WITHDRAWN): ("declined",),
        (A.PROMOTE, S.ENROLLED): ("promoted",),
        (A.WITHDRAW, S.WITHDRAWN): ("withdrawn",),
    }


def test_every_kind_in_the_table_has_a_sender_and_its_three_templates():
    named = {name for kinds in emails.NOTICES.values() for name in kinds}
    assert named == set(emails.KINDS)
    templates = Path(settings.BASE_DIR) / "templates" / emails.TEMPLATE_DIR
    for name in named:
        for suffix in ("_subject.txt", "_message.txt", "_message.html"):
            assert (templates / f"{name}{suffix}").is_file(), f"{name}{suffix}"
    with pytest.raises(ValueError, match="already registered"):
        emails.kind("enrolled")(lambda event: None)


def test_the_task_is_queued_in_the_services_own_transaction(cohort, participant):
    with transaction.atomic():
        enrolment = services.enrolment_create(person=participant, cohort=cohort, by=participant)
        event = enrolment.events.get()
        message = OutboxMessage.objects.get()
        assert (message.task_name, message.args, message.queue) == (TASK, [event.pk], "email")
        assert message.published_at is None  # waits for the commit


def test_a_change_rolled_back_sends_nothing(
    cohort, participant, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.enrolment_create(person=participant, cohort=cohort, by=participant)
        raise RuntimeError("something after the enrolment failed")
    assert not mail.outbox
    assert not OutboxMessage.objects.exists()
    assert not EnrolmentEvent.objects.exists()


def test_a_change_that_sends_nothing_queues_nothing(cohort, participant, administrator):
    enrolment = EnrolmentFactory(person=participant, cohort=cohort)
    services.enrolment_complete(enrolment=enrolment, by=administrator, reason="Met every rule.")
    assert not OutboxMessage.objects.exists()


def run_twice(event) -> list[str]:
    return [send_enrolment_emails(event.pk), send_enrolment_emails(event.pk)]


def only(to):
    messages = [m for m in mail.outbox if to in m.to]
    assert len(messages) == 1, [(m.to, m.subject) for m in mail.outbox]
    return messages[0]


@pytest.mark.parametrize(
    "scenario", ["enrolled", "waitlisted", "approval_requested", "approved", "declined"]
)
def test_each_email_is_sent_once_however_often_the_task_runs(scenario, trust_a, participant):
    """The services' own after-commit run does not happen here (the test's transaction never
    commits), so the task is run by hand: twice, as a re-delivered message would."""
    needs_sponsor = scenario in ("approval_requested", "approved", "declined")
    cohort = CohortFactory(host_trust=trust_a, capacity=1, requires_sponsor_approval=needs_sponsor)
    if scenario == "waitlisted":
        EnrolmentFactory(cohort=cohort)  # the one seat is taken
    enrolment = services.enrolment_create(
        person=participant, cohort=cohort, by=participant, **(SPONSOR if needs_sponsor else {})
    )
    if scenario == "approved":
        services.enrolment_approve(enrolment=enrolment, by=None, reason="Yes.")
    if scenario == "declined":
        services.enrolment_decline(enrolment=enrolment, by=None)
    event = enrolment.events.order_by("pk").last()
    mail.outbox.clear()

    first, second = run_twice(event)
    assert first == f"sent {scenario}"
    assert second == "already sent"
    to = SPONSOR["sponsor_email"] if scenario == "approval_requested" else participant.email
    only(to)
    assert len(mail.outbox) == 1
    event.refresh_from_db()
    assert event.notified_at is not None


def test_a_withdrawal_tells_the_person_and_the_promoted_one_once_each(
    trust_a, administrator, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(host_trust=trust_a, capacity=1)
    seated, waiting = ClinicianFactory(trust=trust_a), ClinicianFactory(trust=trust_a)
    seat = EnrolmentFactory(person=seated, cohort=cohort)
    EnrolmentFactory(person=waiting, cohort=cohort, status="waitlisted")
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_withdraw(enrolment=seat, by=administrator, reason="Left the trust.")
    withdrawn, promoted = only(seated.email), only(waiting.email)
    assert "The reason given: Left the trust." in withdrawn.body
    assert "it is yours: you are now enrolled" in promoted.body
    for event in EnrolmentEvent.objects.all():
        assert run_twice(event) == ["already sent", "already sent"]
    assert len(mail.outbox) == 2


def test_withdrawing_oneself_gives_no_reason_back(
    cohort, participant, django_capture_on_commit_callbacks
):
    enrolment = EnrolmentFactory(person=participant, cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_withdraw(enrolment=enrolment, by=participant, reason="Rota clash.")
    message = only(participant.email)
    assert message.subject == f"You have withdrawn from {cohort.programme.title}"
    assert "Rota clash" not in message.body and "programme team" not in message.body


def test_the_waiting_list_email_gives_the_place_in_the_queue(
    trust_a, participant, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(host_trust=trust_a, capacity=1)
    EnrolmentFactory(cohort=cohort)
    EnrolmentFactory(cohort=cohort, status="waitlisted")
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_create(person=participant, cohort=cohort, by=participant)
    assert "you are on the waiting list: you are number 2." in only(participant.email).body


def test_an_erased_persons_withdrawal_is_not_mailed(
    cohort, participant, superuser, django_capture_on_commit_callbacks
):
    EnrolmentFactory(person=participant, cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        person_erase(person=participant, by=superuser, reason="Asked to be forgotten.")
    assert not mail.outbox
    event = EnrolmentEvent.objects.get(action=A.WITHDRAW)
    assert event.notified_at is not None  # looked at, and nothing to send


def test_the_sponsor_is_not_asked_once_the_application_is_withdrawn(sponsored_pending):
    enrolment, person = sponsored_pending
    services.enrolment_withdraw(enrolment=enrolment, by=person, reason="")
    mail.outbox.clear()
    assert send_enrolment_emails(enrolment.events.get(action=A.APPLY).pk) == "nothing to send"
    assert not [m for m in mail.outbox if SPONSOR["sponsor_email"] in m.to]


@pytest.fixture
def sponsored_pending(trust_a, participant):
    cohort = CohortFactory(host_trust=trust_a, requires_sponsor_approval=True)
    enrolment = services.enrolment_create(
        person=participant, cohort=cohort, by=participant, **SPONSOR
    )
    return enrolment, participant


def test_a_request_sent_again_is_emailed_once_and_only_for_the_latest_link(
    sponsored_pending, django_capture_on_commit_callbacks
):
    enrolment, person = sponsored_pending
    send_enrolment_emails(enrolment.events.get().pk)  # the first request
    enrolment.refresh_from_db()
    first_nonce = enrolment.sponsor_nonce
    enrolment.sponsor_requested_at -= services.sponsors.RESEND_INTERVAL
    enrolment.save()
    mail.outbox.clear()
    enrolment = services.sponsor_request_resend(enrolment=enrolment, by=person)
    assert enrolment.sponsor_nonce != first_nonce
    message = OutboxMessage.objects.get(task_name="programmes.tasks.send_sponsor_request")
    assert message.args == [enrolment.pk, enrolment.sponsor_nonce]

    assert send_sponsor_request(enrolment.pk, first_nonce) == "superseded by a newer request"
    assert send_sponsor_request(enrolment.pk, enrolment.sponsor_nonce) == "sent"
    assert send_sponsor_request(enrolment.pk, enrolment.sponsor_nonce) == "already sent"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [SPONSOR["sponsor_email"]]


def test_the_first_request_runs_late_after_a_second_one_only_one_email_goes(sponsored_pending):
    """Sent again before the worker sent the first: whichever task runs first sends the
    current link, the other finds it sent."""
    enrolment, person = sponsored_pending
    enrolment = services.sponsor_request_resend(enrolment=enrolment, by=person)
    assert send_sponsor_request(enrolment.pk, enrolment.sponsor_nonce) == "sent"
    assert send_enrolment_emails(enrolment.events.get().pk) == "nothing to send"
    assert len(mail.outbox) == 1


def test_an_inactive_account_is_not_mailed(cohort, django_capture_on_commit_callbacks):
    """Someone without an active account (deactivated by an administrator) is not mailed."""
    person = UserFactory(is_active=True)
    enrolment = EnrolmentFactory(person=person, cohort=cohort)
    person.is_active = False
    person.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_withdraw(enrolment=enrolment, by=None, reason="Account closed.")
    assert not mail.outbox


def test_one_of_a_pair_approved_first_is_told_they_wait_for_their_partner(
    trust_a, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(host_trust=trust_a, requires_sponsor_approval=True)
    doctor = ClinicianFactory(trust=trust_a, first_name="Priya", last_name="Shah")
    manager = UserFactory(trust=trust_a, first_name="Tom", last_name="Evans")
    application = services.pair_invite(
        inviter=doctor, cohort=cohort, invitee_email=manager.email, answers=SPONSOR
    )
    mine, _theirs = services.pair_accept(application=application, person=manager, answers=SPONSOR)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_approve(enrolment=mine, by=None, reason="Yes.")
    body = only(doctor.email).body
    assert "You applied together with Tom Evans, whose sponsor has not answered yet." in body
    assert "no place left" not in body
