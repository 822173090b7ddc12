"""A cohort's certificates in the admin, for the host trust's programme administrator: every
completed enrolment with its certificate's status; issue all (one batch, one certificate per
completed enrolment, idempotent, renders queued on the pdf queue through the outbox) with a
progress page that polls with htmx and lists failures with a retry; revoke (a reason is
required); re-issue (the old one superseded and linked; a revoked one only when confirmed);
the valid certificates as one ZIP. Another trust's cohort, batch or certificate is a 404 by
GET and POST. Page queries are pinned."""

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils.html import escape

from audit.models import AuditEvent
from certificates import tasks
from certificates.admin_services import (
    certificate_reissue,
    certificate_revoke,
    certificates_issue_cohort,
)
from certificates.models import Certificate, CertificateBatch, certificate_storage
from certificates.services import CertificateRefused
from outbox.models import OutboxMessage
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory, give_totp

from .admin_factories import CertificateFactory

pytestmark = pytest.mark.django_db

STUB_PDF = b"%PDF-1.7 stub certificate"


@pytest.fixture
def admin_client(client, administrator):
    give_totp(administrator)
    client.force_login(administrator)
    return client


@pytest.fixture
def quick_render(monkeypatch):
    """These tests are about issuing, not drawing: the real renderer is tested in
    test_rendering.py and test_templates_admin.py. Names whose certificates should fail are
    put in ``failing``."""
    failing = set()

    def render(data):
        if data.participant_name in failing:
            raise tasks.CannotRender("The printer caught fire")
        return STUB_PDF

    monkeypatch.setattr(tasks, "render_pdf", render)
    return failing


@pytest.fixture
def cohort(trust_a):
    return CohortFactory(host_trust=trust_a, name="Spring cohort")


def completed(cohort, n, **kwargs):
    return [EnrolmentFactory(cohort=cohort, status="completed", **kwargs) for _ in range(n)]


# --- the cohort page ----------------------------------------------------------------------


def test_the_cohort_page_lists_every_completed_enrolment_with_its_certificate(
    admin_client, cohort, django_assert_max_num_queries
):
    valid = CertificateFactory(enrolment__cohort=cohort)
    revoked = CertificateFactory(
        enrolment__cohort=cohort,
        status="revoked",
        revoked_at="2026-11-01T10:00Z",
        revoked_reason="Issued in error",
    )
    failed = CertificateFactory(
        enrolment__cohort=cohort,
        status="pending",
        render_status="failed",
        render_error="The printer caught fire",
    )
    waiting = completed(cohort, 1)[0]
    EnrolmentFactory(cohort=cohort, status="enrolled", person__last_name="Stillgoing")
    url = reverse("certificates_admin:cohort", args=[cohort.pk])
    # 17: session, user, grants, two permission lookups, TOTP, the Wagtail profile (7); the
    # cohort, its enrolments, their certificates and the recent batches, one query each (4);
    # the admin menu's locale and page and collection permissions (3), and the session's
    # save in a savepoint (3) on a first visit — whatever the cohort's size.
    with django_assert_max_num_queries(17):
        response = admin_client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    for certificate in (valid, revoked, failed):
        assert certificate.printed_code in page
    assert "Revoked on 1 Nov 2026: Issued in error" in page
    assert "The printer caught fire" in page
    assert escape(waiting.person.get_full_name()) in page and "Not issued" in page
    assert "Stillgoing" not in page
    assert "4 completed enrolments: 1 with a valid certificate" in page
    # More rows, same queries.
    completed(cohort, 5)
    for _ in range(3):
        CertificateFactory(enrolment__cohort=cohort)
    with django_assert_max_num_queries(17):
        assert admin_client.get(url).status_code == 200


# --- issue all, progress, retry -----------------------------------------------------------


def test_issue_all_makes_one_certificate_per_completed_enrolment_and_is_idempotent(
    admin_client, administrator, cohort, quick_render, django_capture_on_commit_callbacks
):
    enrolments = completed(cohort, 3)
    already = CertificateFactory(enrolment__cohort=cohort)
    revoked = CertificateFactory(
        enrolment__cohort=cohort, status="revoked", revoked_at="2026-11-01T10:00Z",
        revoked_reason="Issued in error",
    )  # fmt: skip
    EnrolmentFactory(cohort=cohort, status="enrolled")
    url = reverse("certificates_admin:issue", args=[cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url)
    batch = CertificateBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("certificates_admin:batch", args=[batch.pk])
    assert batch.total == 3 and batch.started_by == administrator
    issued = Certificate.objects.filter(batch=batch)
    assert sorted(issued.values_list("enrolment_id", flat=True)) == [e.pk for e in enrolments]
    assert set(issued.values_list("status", flat=True)) == {"valid"}
    # The renders went through the outbox, on the pdf queue, in groups (tasks.RENDER_GROUP).
    queued = OutboxMessage.objects.filter(task_name="certificates.tasks.certificate_render_group")
    assert set(queued.values_list("queue", flat=True)) == {"pdf"}
    assert sorted(pk for message in queued for pk in message.args[0]) == sorted(
        issued.values_list("pk", flat=True)
    )
    # The revoked one is not silently re-issued; the one that had a certificate keeps it.
    assert Certificate.objects.filter(enrolment=revoked.enrolment).count() == 1
    assert Certificate.objects.filter(enrolment=already.enrolment).count() == 1
    # Again: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, follow=True)
    assert "nothing more to issue" in response.content.decode()
    assert Certificate.objects.count() == 5
    assert CertificateBatch.objects.order_by("-pk").first().total == 0
    assert AuditEvent.objects.filter(action="created", actor=administrator).count() == 2


def test_the_progress_page_counts_lists_failures_and_a_retry_renders_again(
    admin_client, administrator, cohort, quick_render, django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):  # fmt: skip
    good = completed(cohort, 3)
    bad = completed(cohort, 2, person__last_name="Unlucky")
    quick_render.update(e.person.get_full_name() for e in bad)
    with django_capture_on_commit_callbacks(execute=True):
        batch = certificates_issue_cohort(cohort=cohort, by=administrator)
    assert batch.total == 5
    page = admin_client.get(reverse("certificates_admin:batch", args=[batch.pk])).content.decode()
    assert "3 of 5 ready, 2 failed." in page
    assert '<progress max="5" value="3"' in page and 'aria-live="polite"' in page
    assert page.count("The printer caught fire") == 2
    # Nothing is being made now: the page does not poll.
    assert "hx-get" not in page
    fragment = reverse("certificates_admin:batch_progress", args=[batch.pk])
    # 10: session, user, grants, two permission lookups, TOTP, the Wagtail profile (7); the
    # batch; ONE aggregate query for the counts; one bounded query for the failures.
    with django_assert_max_num_queries(10):
        response = admin_client.get(fragment, headers={"HX-Request": "true"})
    assert response.status_code == 286  # htmx: stop polling, all done
    assert admin_client.get(fragment).status_code == 200  # a person opening it: plain 200
    # Retry one after its problem is fixed.
    failed = Certificate.objects.filter(batch=batch, render_status="failed").first()
    quick_render.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("certificates_admin:retry", args=[failed.pk]),
            {"next": reverse("certificates_admin:batch", args=[batch.pk])},
        )
    assert response.url == reverse("certificates_admin:batch", args=[batch.pk])
    failed.refresh_from_db()
    assert (failed.status, failed.render_status, failed.render_error) == ("valid", "ready", "")
    page = admin_client.get(reverse("certificates_admin:batch", args=[batch.pk])).content.decode()
    assert "4 of 5 ready, 1 failed." in page
    assert {e.pk for e in good} <= set(
        Certificate.objects.filter(status="valid").values_list("enrolment_id", flat=True)
    )


def test_the_progress_page_polls_while_work_remains(admin_client, administrator, cohort):
    # Without on_commit callbacks run, the renders stay queued.
    completed(cohort, 2)
    batch = certificates_issue_cohort(cohort=cohort, by=administrator)
    page = admin_client.get(reverse("certificates_admin:batch", args=[batch.pk])).content.decode()
    assert "0 of 2 ready, 2 still being made." in page
    assert 'hx-get="' + reverse("certificates_admin:batch_progress", args=[batch.pk]) in page
    assert 'hx-trigger="every 3s"' in page
    fragment = admin_client.get(
        reverse("certificates_admin:batch_progress", args=[batch.pk]),
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and 'hx-swap-oob="true"' in fragment.content.decode()


def test_a_render_that_has_not_failed_is_not_retried(admin_client, cohort):
    certificate = CertificateFactory(enrolment__cohort=cohort)
    response = admin_client.post(
        reverse("certificates_admin:retry", args=[certificate.pk]), follow=True
    )
    assert "nothing to render" in response.content.decode()
    assert not OutboxMessage.objects.exists()


# --- revoke and re-issue ------------------------------------------------------------------


def test_revoking_requires_a_reason_and_records_who_and_when(admin_client, administrator, cohort):
    certificate = CertificateFactory(enrolment__cohort=cohort)
    url = reverse("certificates_admin:revoke", args=[certificate.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert "Give a reason for revoking the certificate." in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    with pytest.raises(CertificateRefused, match="Give a reason"):
        certificate_revoke(certificate=certificate, by=administrator, reason="")
    response = admin_client.post(url, {"reason": "Issued to the wrong person"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.revoked_by == administrator
    assert certificate.revoked_at is not None
    assert certificate.revoked_reason == "Issued to the wrong person"
    event = AuditEvent.objects.get(action="changed", actor=administrator)
    assert event.subject == certificate.enrolment.person
    # Revoking twice says so.
    response = admin_client.post(url, {"reason": "Again"})
    assert "already revoked" in response.content.decode()


def test_a_render_still_running_cannot_make_a_revoked_certificate_valid(
    administrator, cohort, quick_render
):
    enrolment = completed(cohort, 1)[0]
    batch = certificates_issue_cohort(cohort=cohort, by=administrator)
    tasks.certificate_batch_issue(batch.pk)  # issued; its render queued, not yet run
    certificate = Certificate.objects.get(batch=batch, enrolment=enrolment)
    certificate_revoke(certificate=certificate, by=administrator, reason="Withdrawn")
    assert tasks.certificate_render(certificate.pk) == "certificate is revoked"
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and not certificate.pdf


def test_reissuing_supersedes_the_old_with_fresh_data_and_links_them(
    admin_client, administrator, cohort, quick_render, django_capture_on_commit_callbacks
):
    old = CertificateFactory(enrolment__cohort=cohort, enrolment__person__last_name="Jones")
    person = old.enrolment.person
    person.last_name = "Jones-Williams"  # the reason to re-issue: the name has changed
    person.save()
    url = reverse("certificates_admin:reissue", args=[old.pk])
    assert "Re-issue the certificate" in admin_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url)
    assert response.status_code == 302
    old.refresh_from_db()
    new = old.superseded_by
    assert old.status == "superseded" and new is not None
    assert new.enrolment_id == old.enrolment_id and new.code != old.code
    assert new.participant_name.endswith("Jones-Williams") and new.status == "valid"
    assert old.revoked_at is None and old.revoked_reason == ""
    assert (
        Certificate.objects.filter(enrolment=old.enrolment, status__in=["valid", "pending"]).count()
        == 1
    )
    # The superseded one cannot be re-issued again.
    with pytest.raises(CertificateRefused, match="already been re-issued"):
        certificate_reissue(certificate=old, by=administrator)


def test_reissuing_a_revoked_certificate_without_saying_so_is_refused(
    admin_client, administrator, cohort, quick_render, django_capture_on_commit_callbacks
):
    old = CertificateFactory(enrolment__cohort=cohort)
    certificate_revoke(certificate=old, by=administrator, reason="Issued in error")
    url = reverse("certificates_admin:reissue", args=[old.pk])
    response = admin_client.post(url, {})
    assert response.status_code == 200
    assert "tick the box to confirm" in response.content.decode()
    with pytest.raises(CertificateRefused, match="confirm that this is what you mean"):
        certificate_reissue(certificate=old, by=administrator)
    assert Certificate.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"confirm_revoked": "on"})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.status == "superseded" and old.superseded_by.status == "valid"
    assert old.revoked_reason == "Issued in error"  # the history stays on the record


def test_a_certificate_withdrawn_by_erasure_is_not_reissued(administrator, cohort):
    from certificates.personal_data import ERASED_REASON

    old = CertificateFactory(
        enrolment__cohort=cohort, status="revoked", revoked_at="2026-11-01T10:00Z",
        revoked_reason=ERASED_REASON, participant_name="",
    )  # fmt: skip
    with pytest.raises(CertificateRefused, match="personal data was erased"):
        certificate_reissue(certificate=old, by=administrator, confirm_revoked=True)
    assert Certificate.objects.count() == 1


# --- the ZIP ------------------------------------------------------------------------------


def test_the_zip_holds_the_cohorts_valid_certificates_only(admin_client, administrator, cohort):
    valid = [
        CertificateFactory(enrolment__cohort=cohort, participant_name="Siân Llywelyn"),
        CertificateFactory(enrolment__cohort=cohort, participant_name="Owain Price"),
    ]
    revoked = CertificateFactory(
        enrolment__cohort=cohort, status="revoked", revoked_at="2026-11-01T10:00Z",
        revoked_reason="Issued in error",
    )  # fmt: skip
    CertificateFactory(enrolment__cohort=cohort, status="pending", render_status="queued")
    CertificateFactory()  # another cohort's
    url = reverse("certificates_admin:zip", args=[cohort.pk])
    assert admin_client.get(url).status_code == 405  # a POST action
    response = admin_client.post(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(archive.namelist())
    assert names == sorted(
        [f"owain-price-{valid[1].printed_code}.pdf", f"sian-llywelyn-{valid[0].printed_code}.pdf"]
    )
    assert archive.read(names[1]) == certificate_storage().open(valid[0].pdf.name).read()
    assert not any(revoked.printed_code in name for name in names)
    assert AuditEvent.objects.filter(action="exported", actor=administrator).exists()


# --- another trust's ----------------------------------------------------------------------


def test_another_trusts_cohort_batch_and_certificates_are_404_by_get_and_post(
    admin_client, trust_b
):
    cohort_b = CohortFactory(host_trust=trust_b, name="Southvale cohort")
    certificate_b = CertificateFactory(enrolment__cohort=cohort_b)
    failed_b = CertificateFactory(
        enrolment__cohort=cohort_b, status="pending", render_status="failed"
    )
    EnrolmentFactory(cohort=cohort_b, status="completed")
    admin_b = UserFactory(trust=trust_b, is_superuser=True)
    batch_b = CertificateBatch.objects.create(cohort=cohort_b, started_by=admin_b, total=1)
    urls = [
        reverse("certificates_admin:cohort", args=[cohort_b.pk]),
        reverse("certificates_admin:issue", args=[cohort_b.pk]),
        reverse("certificates_admin:zip", args=[cohort_b.pk]),
        reverse("certificates_admin:batch", args=[batch_b.pk]),
        reverse("certificates_admin:batch_progress", args=[batch_b.pk]),
        reverse("certificates_admin:retry", args=[failed_b.pk]),
        reverse("certificates_admin:revoke", args=[certificate_b.pk]),
        reverse("certificates_admin:reissue", args=[certificate_b.pk]),
    ]
    for url in urls:
        assert admin_client.get(url).status_code == 404, url
        body = {"reason": "x", "confirm_revoked": "on", "next": "/admin/"}
        assert admin_client.post(url, body).status_code == 404, url
    assert Certificate.objects.filter(enrolment__cohort=cohort_b).count() == 2
    certificate_b.refresh_from_db()
    assert certificate_b.status == "valid"
    assert CertificateBatch.objects.count() == 1
    assert AuditEvent.objects.filter(action="refused").count() == 2 * len(urls)
    index = admin_client.get(reverse("certificates_admin:index")).content.decode()
    assert "Southvale cohort" not in index
