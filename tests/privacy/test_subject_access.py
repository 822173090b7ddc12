"""A participant downloads everything Tandem holds about them."""

import io
import json
import uuid
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from privacy import services, tasks
from privacy.models import SubjectAccessRequest, SubjectAccessStatus
from tests.audit.helpers import sign_in
from tests.factories import (
    ClinicianFactory,
    RoleAppointmentFactory,
    SubjectAccessRequestFactory,
)

pytestmark = pytest.mark.django_db

MY_DATA = "/account/my-data/"


def request_my_data(client, django_capture_on_commit_callbacks):
    # The task is enqueued on commit; run the callbacks (eager Celery builds it in-process).
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(MY_DATA)
    return response, callbacks


def archive_of(sar):
    with sar.file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def test_the_page_needs_a_signed_in_person(client):
    response = client.get(MY_DATA)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_offers_the_request(client, participant):
    sign_in(client, participant)
    response = client.get(MY_DATA)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Request my data" in content
    assert "Your role history" in content  # what the archive will contain


def test_requesting_builds_an_archive_of_everything_held(
    client, participant, django_capture_on_commit_callbacks
):
    RoleAppointmentFactory(person=participant, title="Clinical lead for surgery")
    sign_in(client, participant)
    response, callbacks = request_my_data(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert len(callbacks) == 1  # exactly one task, enqueued after COMMIT

    sar = SubjectAccessRequest.objects.get(person=participant)
    assert sar.status == SubjectAccessStatus.READY
    assert sar.progress == 100
    assert sar.file.name.startswith(f"private/subject-access/{sar.public_id}/")
    assert sar.expires_at - sar.finished_at == timedelta(days=30)

    archive = archive_of(sar)
    names = set(archive.namelist())
    for source in ("profile", "role_history", "roles", "audit_events", "subject_access_requests"):
        assert {f"{source}.json", f"{source}.csv"} <= names
    assert {"manifest.json", "README.txt"} <= names
    profile = json.loads(archive.read("profile.json"))[0]
    assert profile["email"] == participant.email
    assert profile["registration_number"] == participant.registration_number  # theirs to see
    roles = json.loads(archive.read("role_history.json"))
    assert roles[0]["title"] == "Clinical lead for surgery"
    assert b"Clinical lead for surgery" in archive.read("role_history.csv")
    # The password hash is never exported, in any file.
    for name in names:
        assert participant.password.encode() not in archive.read(name)
        assert b'"password"' not in archive.read(name)
    # Their own sign-in and request are in their audit trail.
    activity = [row["what"] for row in json.loads(archive.read("audit_events.json"))]
    assert "Subject access requested" in activity

    requested = AuditEvent.objects.get(action=AuditAction.SUBJECT_ACCESS_REQUESTED)
    assert requested.actor == participant
    assert requested.subject == participant


def test_asking_twice_makes_one_request(client, participant, django_capture_on_commit_callbacks):
    sign_in(client, participant)
    SubjectAccessRequestFactory(person=participant)  # still waiting
    response, callbacks = request_my_data(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert SubjectAccessRequest.objects.filter(person=participant).count() == 1
    assert callbacks == []


def test_a_ready_archive_is_offered_and_downloaded_by_its_owner(
    client, participant, django_capture_on_commit_callbacks
):
    sign_in(client, participant)
    request_my_data(client, django_capture_on_commit_callbacks)
    sar = SubjectAccessRequest.objects.get(person=participant)
    page = client.get(MY_DATA).content.decode()
    download_url = reverse("privacy:my_data_download", args=[sar.public_id])
    assert download_url in page

    response = client.get(download_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # a real ZIP
    event = AuditEvent.objects.get(action=AuditAction.SUBJECT_ACCESS_DOWNLOADED)
    assert event.actor == participant


def test_another_person_cannot_download_it_or_see_its_progress(
    client, participant, trust_a, django_capture_on_commit_callbacks
):
    sign_in(client, participant)
    request_my_data(client, django_capture_on_commit_callbacks)
    sar = SubjectAccessRequest.objects.get(person=participant)
    client.logout()

    colleague = ClinicianFactory(trust=trust_a)
    sign_in(client, colleague)
    for name in ("privacy:my_data_download", "privacy:my_data_status"):
        assert client.get(reverse(name, args=[sar.public_id])).status_code == 404
    refusals = AuditEvent.objects.filter(action=AuditAction.REFUSED, actor=colleague)
    assert refusals.count() == 2
    assert all(event.subject == participant for event in refusals)
    assert not AuditEvent.objects.filter(action=AuditAction.SUBJECT_ACCESS_DOWNLOADED).exists()
    # An unknown id is a plain 404.
    unknown = reverse("privacy:my_data_download", args=[uuid.uuid4()])
    assert client.get(unknown).status_code == 404


def test_an_expired_archive_is_no_longer_served(client, participant):
    sar = SubjectAccessRequestFactory(
        person=participant,
        status=SubjectAccessStatus.READY,
        progress=100,
        finished_at=timezone.now() - timedelta(days=31),
        expires_at=timezone.now() - timedelta(days=1),
    )
    sar.file.save("old.zip", ContentFile(b"PK"), save=True)
    sign_in(client, participant)
    assert client.get(reverse("privacy:my_data_download", args=[sar.public_id])).status_code == 404
    assert "has expired" in client.get(MY_DATA).content.decode()


def test_progress_is_shown_accessibly_without_inline_script(client, participant):
    sar = SubjectAccessRequestFactory(
        person=participant,
        status=SubjectAccessStatus.RUNNING,
        progress=40,
        heartbeat_at=timezone.now(),
    )
    sign_in(client, participant)
    content = client.get(MY_DATA).content.decode()
    status_url = reverse("privacy:my_data_status", args=[sar.public_id])
    assert '<progress id="sar-progress" max="100" value="40"' in content
    assert ">40%</progress>" in content  # the text for browsers without <progress>
    assert "40% done" in content
    assert 'aria-live="polite"' in content
    assert "Refresh this page" in content
    assert f'data-sar-status-url="{status_url}"' in content
    assert "privacy/my-data.js" in content
    assert "<script>" not in content  # nothing inline: the CSP forbids it
    assert "Request my data" not in content  # one at a time

    status = client.get(status_url).json()
    assert status == {
        "status": "running",
        "progress": 40,
        "message": "Your data is being prepared: 40% done.",
        "finished": False,
    }


# --- the task: idempotent, restartable -------------------------------------------------------


def test_running_the_task_twice_builds_once(participant, extra_source):
    calls = []
    extra_source(lambda person: calls.append(person.pk) or [{"n": 1}])
    sar = SubjectAccessRequestFactory(person=participant)
    assert tasks.build_subject_access_archive.delay(sar.pk).get() == "built"
    assert tasks.build_subject_access_archive.delay(sar.pk).get() == "already built"
    assert calls == [participant.pk]


def test_a_run_leaves_a_request_another_live_run_is_building(participant, extra_source):
    calls = []
    extra_source(lambda person: calls.append(1) or [])
    sar = SubjectAccessRequestFactory(
        person=participant,
        status=SubjectAccessStatus.RUNNING,
        progress=30,
        heartbeat_at=timezone.now(),
        run_token=uuid.uuid4(),
    )
    assert services.sar_build(request_id=sar.pk) == "being built by another run"
    assert calls == []
    sar.refresh_from_db()
    assert sar.progress == 30


def test_a_rerun_after_a_worker_died_restarts_cleanly(participant, settings):
    # The dead run got as far as storing a file; its heartbeat is older than any task lives.
    dead_since = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    sar = SubjectAccessRequestFactory(
        person=participant,
        status=SubjectAccessStatus.RUNNING,
        progress=60,
        started_at=dead_since,
        heartbeat_at=dead_since,
        run_token=uuid.uuid4(),
        attempts=1,
    )
    sar.file.save("partial.zip", ContentFile(b"half a zip"), save=True)
    leftover = sar.file.name
    assert tasks.build_subject_access_archive.delay(sar.pk).get() == "built"
    sar.refresh_from_db()
    assert sar.status == SubjectAccessStatus.READY
    assert sar.progress == 100
    assert sar.attempts == 2
    assert sar.file.name != leftover
    assert not default_storage.exists(leftover)
    archive_of(sar).testzip()


def test_progress_is_reported_as_the_archive_is_built(participant, extra_source):
    seen = []

    def look(person):
        sar = SubjectAccessRequest.objects.get(person=person)
        seen.append((sar.status, sar.progress))
        return []

    extra_source(look)  # registered last, so earlier sources have reported their progress
    sar = SubjectAccessRequestFactory(person=participant)
    services.sar_build(request_id=sar.pk)
    status, progress = seen[0]
    assert status == SubjectAccessStatus.RUNNING
    assert 0 < progress < 100


def test_a_run_that_was_taken_over_stops_and_leaves_no_file(participant, extra_source):
    def taken_over(person):
        SubjectAccessRequest.objects.filter(person=person).update(run_token=uuid.uuid4())
        return []

    extra_source(taken_over)
    sar = SubjectAccessRequestFactory(person=participant)
    assert services.sar_build(request_id=sar.pk) == "taken over by another run"
    sar.refresh_from_db()
    assert sar.status == SubjectAccessStatus.RUNNING  # the successor's to finish
    assert not sar.file


def test_a_failure_is_shown_and_the_person_can_ask_again(client, participant, extra_source):
    def broken(person):
        raise RuntimeError("exporter bug")

    extra_source(broken)
    sar = SubjectAccessRequestFactory(person=participant)
    with pytest.raises(RuntimeError):
        tasks.build_subject_access_archive.delay(sar.pk)
    sar.refresh_from_db()
    assert sar.status == SubjectAccessStatus.FAILED
    sign_in(client, participant)
    content = client.get(MY_DATA).content.decode()
    assert "Something went wrong" in content
    assert "Request my data" in content


def test_stalled_requests_are_requeued(participant, settings, monkeypatch):
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    stalled = SubjectAccessRequestFactory(
        person=participant, status=SubjectAccessStatus.RUNNING, heartbeat_at=long_ago
    )
    lost = SubjectAccessRequestFactory(person=participant, created_at=long_ago)
    SubjectAccessRequestFactory(  # alive: left alone
        person=participant, status=SubjectAccessStatus.RUNNING, heartbeat_at=timezone.now()
    )
    SubjectAccessRequestFactory(person=participant)  # just queued: left alone
    queued = []
    monkeypatch.setattr(
        tasks.build_subject_access_archive, "delay_on_commit", lambda pk: queued.append(pk)
    )
    assert tasks.resume_stalled_subject_access.delay().get() == 2
    assert sorted(queued) == sorted([stalled.pk, lost.pk])
