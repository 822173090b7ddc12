"""outbox.claims: the one way an id-in task decides, under a row lock, whether it does the work.

Subject-access requests are the model with run state (status, run token, heartbeat); the
privacy tests cover sar_build's own behaviour, these the helper every task shares.
"""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tasks import send_invitation
from outbox import claims
from privacy.models import SubjectAccessRequest, SubjectAccessStatus
from privacy.services import SAR_LEASE
from tests.broker_helpers import run_together
from tests.factories import InvitationFactory, SubjectAccessRequestFactory

pytestmark = pytest.mark.django_db

READY = SubjectAccessStatus.READY
RUNNING = SubjectAccessStatus.RUNNING


def refuse_ready(sar):
    return "done" if sar.status == READY else None


def claim(pk, **kwargs):
    return claims.claim_run(SubjectAccessRequest.objects.all(), pk, lease=SAR_LEASE, **kwargs)


def test_a_claim_marks_the_row_running_with_a_token_and_counts_the_attempt(participant):
    sar = SubjectAccessRequestFactory(person=participant)
    held = claim(sar.pk)
    sar.refresh_from_db()
    assert sar.status == RUNNING
    assert sar.run_token == held.token
    assert sar.attempts == 1
    assert sar.heartbeat_at == sar.started_at


def test_run_twice_the_work_happens_once(participant):
    sar = SubjectAccessRequestFactory(person=participant)
    effects = []

    def run():
        try:
            held = claim(sar.pk, refuse=refuse_ready)
        except claims.NotClaimed as skipped:
            return skipped.reason
        effects.append(held.token)
        assert held.finish(status=READY)
        return "done now"

    assert run() == "done now"
    assert run() == "done"  # refused: finished already
    assert len(effects) == 1


def test_a_second_run_leaves_a_live_claim_alone(participant):
    sar = SubjectAccessRequestFactory(person=participant)
    first = claim(sar.pk)
    with pytest.raises(claims.NotClaimed) as refused:
        claim(sar.pk)
    assert refused.value.reason == claims.BUSY
    first.heartbeat(progress=50)  # still ours
    sar.refresh_from_db()
    assert (sar.run_token, sar.progress, sar.attempts) == (first.token, 50, 1)


def test_a_stale_claim_is_taken_over_and_the_old_run_is_stopped(participant, settings):
    sar = SubjectAccessRequestFactory(person=participant)
    dead = claim(sar.pk)
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    SubjectAccessRequest.objects.filter(pk=sar.pk).update(heartbeat_at=long_ago, progress=60)

    successor = claim(sar.pk, start=lambda row: setattr(row, "progress", 0))
    assert successor.token != dead.token
    sar.refresh_from_db()
    assert sar.progress == 0  # start() reset what the dead run left, in the same save
    # The old run, if it was only slow, can no longer write anything.
    with pytest.raises(claims.LostClaim):
        dead.heartbeat(progress=90)
    assert dead.finish(status=READY) is False
    assert dead.release(status=SubjectAccessStatus.FAILED) is False
    assert successor.finish(status=READY) is True
    sar.refresh_from_db()
    assert (sar.status, sar.run_token, sar.attempts) == (READY, successor.token, 2)


def test_a_row_that_is_gone_is_not_claimed():
    with pytest.raises(claims.NotClaimed) as refused:
        claim(10**9)
    assert refused.value.reason == claims.GONE


def test_a_refusal_changes_nothing(participant):
    sar = SubjectAccessRequestFactory(person=participant, status=READY, progress=100)
    with pytest.raises(claims.NotClaimed) as refused:
        claim(sar.pk, refuse=refuse_ready)
    assert refused.value.reason == "done"
    sar.refresh_from_db()
    assert (sar.status, sar.attempts, sar.run_token) == (READY, 0, None)


# --- short work under the lock: the invitation email --------------------------------------------


def test_an_invitation_delivered_twice_is_emailed_once():
    invitation = InvitationFactory(sent_at=None)
    assert send_invitation.delay(invitation.pk).get() == "sent"
    assert send_invitation.delay(invitation.pk).get() == "already sent"
    assert len(mail.outbox) == 1


def test_an_invitation_revoked_before_its_email_went_is_not_sent():
    invitation = InvitationFactory(sent_at=None, revoked_at=timezone.now())
    assert send_invitation.delay(invitation.pk).get() == "revoked"
    assert send_invitation.delay(10**9).get() == claims.GONE
    assert mail.outbox == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_one_claims(require_postgres, participant):
    """Each thread has its own connection; the row lock lets exactly one claim."""
    sar = SubjectAccessRequestFactory(person=participant)

    def attempt():
        try:
            return claim(sar.pk).token
        except claims.NotClaimed as skipped:
            return skipped.reason

    outcomes = run_together(attempt, attempt, attempt)
    tokens = [outcome for outcome in outcomes if isinstance(outcome, uuid.UUID)]
    assert len(tokens) == 1
    assert sorted(o for o in outcomes if not isinstance(o, uuid.UUID)) == [claims.BUSY] * 2
    sar.refresh_from_db()
    assert (sar.run_token, sar.attempts) == (tokens[0], 1)
