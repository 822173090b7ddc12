"""A broker outage delays background work; it never fails a request or loses the work.

Real outages: the embedded (filesystem) broker's queue folder replaced by a file, or made
immutable (chmod would not stop root), so every publish fails as on a full or read-only
disk; and a Redis URL nothing listens on. During each, a participant asks for their data and
an administrator invites someone; afterwards the sweeper publishes and a real worker does
each job once.
"""

import time
from contextlib import contextmanager

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Invitation
from core import health
from outbox import services
from outbox.models import OutboxMessage
from privacy.models import SubjectAccessRequest, SubjectAccessStatus
from tests.audit.helpers import sign_in
from tests.broker_helpers import (
    FilesystemBroker,
    own_redis,
    real_worker,
    using_broker,
    wait_until,
)
from tests.factories import TrustEmailDomainFactory

pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


class Outage:
    """`down()`: a broker that refuses every publish; `up()`: a working one. For the Redis
    outage, "back" is the configured broker when that is Redis (CI), else a filesystem one."""

    def __init__(self, kind: str, fs_broker: FilesystemBroker):
        self.kind = kind
        self.fs_broker = fs_broker

    @contextmanager
    def down(self):
        if self.kind == "queue folder replaced by a file":
            with using_broker(self.fs_broker.url, self.fs_broker.options):
                self.fs_broker.break_queue_folder()
                try:
                    yield
                finally:
                    self.fs_broker.mend_queue_folder()
        elif self.kind == "queue folder immutable":
            with using_broker(self.fs_broker.url, self.fs_broker.options):
                if not self.fs_broker.freeze_queue_folder():
                    pytest.skip("this filesystem cannot make a folder immutable (chattr +i)")
                try:
                    yield
                finally:
                    self.fs_broker.thaw_queue_folder()
        else:
            with using_broker(UNREACHABLE_REDIS):
                yield

    @contextmanager
    def up(self):
        if self.kind == "redis unreachable" and (redis := own_redis()) is not None:
            url, options = redis
        else:
            url, options = self.fs_broker.url, self.fs_broker.options
        with using_broker(url, options):
            yield


@pytest.fixture
def fs_broker(tmp_path):
    broker = FilesystemBroker(tmp_path / "broker")
    yield broker
    broker.remove()


@pytest.fixture(
    params=["queue folder replaced by a file", "queue folder immutable", "redis unreachable"]
)
def outage(request, fs_broker):
    return Outage(request.param, fs_broker)


def test_requests_answer_normally_during_an_outage_and_the_work_is_done_once_after(
    outage, participant, administrator
):
    # The trust's own domain: the invitation goes without a warning to confirm.
    TrustEmailDomainFactory(trust=administrator.trust, domain="northshire.nhs.uk")
    person_client = sign_in(Client(), participant)
    admin_client = sign_in(Client(), administrator)

    with outage.down():
        started = time.monotonic()
        response = person_client.post("/account/my-data/")
        my_data_seconds = time.monotonic() - started
        assert response.status_code == 302
        response = admin_client.post(
            "/admin/invitations/",
            {
                "email": "new.starter@northshire.nhs.uk",
                "first_name": "New",
                "last_name": "Starter",
                "trust": administrator.trust_id,
            },
        )
        assert response.status_code == 302
        assert response["Location"] == "/admin/invitations/"  # saved, not sent to sign in
        # Failing fast: the request did not sit waiting on the dead broker.
        assert my_data_seconds < 5

        sar = SubjectAccessRequest.objects.get(person=participant)
        invitation = Invitation.objects.get(email="new.starter@northshire.nhs.uk")
        assert sar.status == SubjectAccessStatus.PENDING
        assert invitation.sent_at is None
        waiting = {m.task_name: m for m in OutboxMessage.objects.unpublished()}
        assert set(waiting) == {
            "privacy.tasks.build_subject_access_archive",
            "accounts.tasks.send_invitation",
        }
        assert waiting["privacy.tasks.build_subject_access_archive"].args == [sar.pk]
        assert waiting["accounts.tasks.send_invitation"].args == [invitation.pk]
        # The first publish failed; the second was left to the sweeper without trying (the
        # process backs off the broker for a few seconds after a failure).
        first = waiting["privacy.tasks.build_subject_access_archive"]
        assert (first.attempts, bool(first.last_error)) == (1, True)
        assert waiting["accounts.tasks.send_invitation"].attempts == 0

        health = person_client.get("/healthz/")
        assert health.status_code == 503
        assert health.json()["down"] == ["broker"]
        assert health.json()["outbox"]["unpublished"] == 2

    with outage.up():
        assert person_client.get("/healthz/").status_code == 200
        assert services.outbox_sweep().published == 2
        with real_worker():
            done = wait_until(
                lambda: (
                    SubjectAccessRequest.objects.filter(
                        pk=sar.pk, status=SubjectAccessStatus.READY
                    ).exists()
                    and Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).exists()
                )
            )
            assert done, "the worker did not finish both jobs"
            # Nothing more to publish, and nothing more arrives for the worker to do.
            assert services.outbox_sweep().published == 0
            time.sleep(1)

    sar.refresh_from_db()
    assert sar.attempts == 1  # built once
    assert [message.to for message in mail.outbox] == [["new.starter@northshire.nhs.uk"]]
    assert not OutboxMessage.objects.unpublished().exists()
    health = person_client.get("/healthz/").json()
    assert health["outbox"] == {"status": "ok", "unpublished": 0, "oldest_seconds": None}


def test_healthz_names_the_broker_while_its_queue_folder_refuses_messages(client, fs_broker):
    with using_broker(fs_broker.url, fs_broker.options):
        assert client.get("/healthz/").status_code == 200
        fs_broker.break_queue_folder()
        try:
            health.forget_broker_checks()
            response = client.get("/healthz/")
        finally:
            fs_broker.mend_queue_folder()
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["broker"]
    assert body["broker"]["ok"] is False
    assert str(fs_broker.queue_dir) in body["broker"]["detail"]  # names what failed
    assert body["database"]["ok"] is True
    assert body["outbox"]["status"] == "ok"
