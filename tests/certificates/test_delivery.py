"""Delivery (issue 13 part 3): the holder is emailed their PDF once it is rendered, once,
with the verify link; they see their certificates on My learning and download them from
/learn/certificates/<code>/download/, as may the host trust's programme administrators and
their own trust's reporting leads — nobody else, and a refusal is a 404."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from certificates.models import Certificate, CertificateStatus, certificate_storage
from certificates.tasks import certificate_render, send_certificate_email
from outbox.models import OutboxMessage
from people.access import AccessRole
from privacy.services import person_erase
from programmes import services as programmes
from tests.factories import (
    CertificateFactory,
    ClinicianFactory,
    CohortFacilitatorFactory,
    EnrolmentFactory,
    TrustFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# What the valid certificates below hold: not rendered (tests/certificates/test_issue.py and
# the email tests here render for real), so a download can be compared byte for byte.
STAND_IN_PDF = b"%PDF-1.7\n% a stand-in certificate\n%%EOF\n"


def valid_certificate(**fields):
    return CertificateFactory(status="valid", pdf_content=STAND_IN_PDF, **fields)


def pending_certificate(**fields):
    return CertificateFactory(**fields)  # the factory's default: being prepared, no file


@pytest.fixture
def host(db):
    """The trust that runs the cohort: not the holder's own (trust A), so the two staff
    rules are told apart."""
    return TrustFactory(name="Wyvern Valley Hospitals NHS Trust", ods_code="RWV")


@pytest.fixture
def enrolment(participant, host):
    return EnrolmentFactory(
        person=participant,
        cohort__host_trust=host,
        cohort__programme__title="Leading together: clinicians and managers",
        status="enrolled",
    )


def complete(enrolment, capture):
    with capture(execute=True):
        programmes.enrolment_complete(
            enrolment=enrolment, by=UserFactory(is_superuser=True), reason="All rules met"
        )
    return Certificate.objects.get(enrolment=enrolment)


# --- the email --------------------------------------------------------------------------------


def test_the_holder_is_emailed_their_pdf_and_verify_link_once(
    enrolment, participant, django_capture_on_commit_callbacks
):
    certificate = complete(enrolment, django_capture_on_commit_callbacks)
    assert certificate.status == CertificateStatus.VALID
    [message] = mail.outbox
    assert message.to == [participant.email]
    assert message.subject == "Your certificate for Leading together: clinicians and managers"
    [(filename, content, mimetype)] = message.attachments
    assert filename == f"tandem-certificate-{certificate.printed_code}.pdf"
    assert mimetype == "application/pdf"
    stored = certificate_storage().open(certificate.pdf.name).read()
    assert content == stored and content.startswith(b"%PDF")
    verify = f"http://testserver/verify/{certificate.printed_code}/"
    assert verify in message.body
    assert "http://testserver/learn/certificates/" in message.body
    [(html, _)] = message.alternatives
    assert f'href="{verify}"' in html
    assert certificate.emailed_at is not None
    # The task went through the outbox, on the email queue.
    queued = OutboxMessage.objects.get(task_name="certificates.tasks.send_certificate_email")
    assert queued.queue == "email" and queued.args == [certificate.pk]

    # A second delivery of the same task sends nothing.
    assert send_certificate_email(certificate.pk) == "already sent"
    assert len(mail.outbox) == 1


def test_a_certificate_revoked_before_the_email_goes_is_not_sent(participant):
    certificate = valid_certificate(enrolment__person=participant)
    Certificate.objects.filter(pk=certificate.pk).update(
        status=CertificateStatus.REVOKED, revoked_at=timezone.now(), revoked_reason="Error"
    )
    assert send_certificate_email(certificate.pk) == "certificate is revoked"
    assert mail.outbox == []
    certificate.refresh_from_db()
    assert certificate.emailed_at is None


def test_an_erased_or_deactivated_holder_is_not_emailed(participant, trust_a):
    certificate = valid_certificate(enrolment__person=participant)
    participant.is_active = False
    participant.save()
    assert send_certificate_email(certificate.pk) == "nobody to send to"
    # Erased: their certificates are revoked, and nothing goes to the pseudonymised address.
    person_erase(person=participant, by=UserFactory(is_superuser=True), reason="Asked")
    assert send_certificate_email(certificate.pk) == "certificate is revoked"
    assert mail.outbox == []


def test_a_render_that_lost_its_claim_queues_no_email(
    enrolment, monkeypatch, django_capture_on_commit_callbacks
):
    """While this run renders, another takes the row over (as after a stale heartbeat): this
    run's result is not recorded, its file is deleted, and it queues no email."""
    from certificates import tasks

    enrolment.status = "completed"
    enrolment.save()
    from certificates.services import certificate_issue

    certificate = certificate_issue(enrolment=enrolment)  # not committed: nothing runs yet
    real = tasks.render_pdf

    def taken_over_meanwhile(data):
        Certificate.objects.filter(pk=certificate.pk).update(run_token=None)
        return real(data)

    monkeypatch.setattr(tasks, "render_pdf", taken_over_meanwhile)
    assert certificate_render(certificate.pk) == "taken over"
    assert not OutboxMessage.objects.filter(
        task_name="certificates.tasks.send_certificate_email"
    ).exists()
    assert mail.outbox == []
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.PENDING and not certificate.pdf


# --- downloading ------------------------------------------------------------------------------


def download_path(certificate, code=None):
    return f"/learn/certificates/{code or certificate.printed_code}/download/"


@pytest.fixture
def held(participant, host):
    return valid_certificate(enrolment__person=participant, enrolment__cohort__host_trust=host)


def staff(role, trust):
    return UserFactory(trust=trust, roles=[role])


def test_the_holder_downloads_their_certificate_privately(client, participant, held):
    client.force_login(participant)
    response = client.get(download_path(held))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == STAND_IN_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="tandem-certificate-{held.printed_code}.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    # Typed any way a code may be: lower case, no hyphens.
    assert client.get(download_path(held, held.code.lower())).status_code == 200
    # The holder's own download is theirs: not audited as a disclosure.
    assert not AuditEvent.objects.filter(action="exported").exists()


@pytest.mark.parametrize(
    "who",
    [
        "host trust's programme administrator",
        "holder's trust reporting lead",
        "superuser",
    ],
)
def test_staff_who_may_download_it(client, held, host, trust_a, superuser, who):
    person = {
        "host trust's programme administrator": lambda: staff(
            AccessRole.PROGRAMME_ADMINISTRATOR, host
        ),
        "holder's trust reporting lead": lambda: staff(AccessRole.TRUST_REPORTING_LEAD, trust_a),
        "superuser": lambda: superuser,
    }[who]()
    client.force_login(person)
    response = client.get(download_path(held))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == STAND_IN_PDF
    # Someone else's certificate leaving the site is audited.
    event = AuditEvent.objects.get(action="exported")
    assert event.actor_id == person.pk and event.detail["export"] == "certificate"


def test_the_reporting_lead_of_the_trust_that_sent_them_may_download_it(client, held):
    """The holder moved trust since they enrolled: the reporting lead of the trust that sent
    them (the enrolment's) still may."""
    sending = held.enrolment.trust
    held.enrolment.person.trust = TrustFactory()
    held.enrolment.person.save()
    client.force_login(staff(AccessRole.TRUST_REPORTING_LEAD, sending))
    assert client.get(download_path(held)).status_code == 200


@pytest.mark.parametrize(
    "who",
    [
        "another trust's programme administrator",
        "another trust's reporting lead",
        "another participant",
        "a participant of another trust",
        "the cohort's facilitator",
        "a facilitator of another trust",
        "the holder's trust's programme administrator",  # not the trust that ran the cohort
        "the host trust's reporting lead",  # reports on its own people, not its cohorts'
    ],
)
def test_everyone_else_gets_a_404(client, held, host, trust_a, trust_b, who):
    make = {
        "another trust's programme administrator": lambda: staff(
            AccessRole.PROGRAMME_ADMINISTRATOR, trust_b
        ),
        "another trust's reporting lead": lambda: staff(AccessRole.TRUST_REPORTING_LEAD, trust_b),
        "another participant": lambda: ClinicianFactory(
            trust=trust_a, roles=[AccessRole.PARTICIPANT]
        ),
        "a participant of another trust": lambda: ClinicianFactory(
            trust=trust_b, roles=[AccessRole.PARTICIPANT]
        ),
        "the cohort's facilitator": lambda: (
            CohortFacilitatorFactory(cohort=held.enrolment.cohort).person
        ),
        "a facilitator of another trust": lambda: staff(AccessRole.FACILITATOR, trust_b),
        "the holder's trust's programme administrator": lambda: staff(
            AccessRole.PROGRAMME_ADMINISTRATOR, trust_a
        ),
        "the host trust's reporting lead": lambda: staff(AccessRole.TRUST_REPORTING_LEAD, host),
    }
    client.force_login(make[who]())
    assert client.get(download_path(held)).status_code == 404
    assert client.post(download_path(held)).status_code in (404, 405)


def test_anonymous_visitors_are_sent_to_sign_in(client, held):
    response = client.get(download_path(held))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("code", ["not-a-code", "0" * 28, "K7QF-ZP2M"])
def test_a_malformed_or_unknown_code_is_a_404(client, participant, code):
    client.force_login(participant)
    assert client.get(f"/learn/certificates/{code}/download/").status_code == 404


def revoke(certificate, reason="Issued in error: the cohort's dates were wrong."):
    Certificate.objects.filter(pk=certificate.pk).update(
        status=CertificateStatus.REVOKED, revoked_at=timezone.now(), revoked_reason=reason
    )
    certificate.refresh_from_db()
    return certificate


def test_a_revoked_certificate_is_kept_from_its_holder_but_not_from_staff(client, held, host):
    """The holder may not pass a revoked certificate on as current; the host trust's
    administrator may still download it for their records, named as revoked."""
    revoke(held)
    client.force_login(held.enrolment.person)
    assert client.get(download_path(held)).status_code == 404
    client.force_login(staff(AccessRole.PROGRAMME_ADMINISTRATOR, host))
    response = client.get(download_path(held))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="tandem-certificate-{held.printed_code}-revoked.pdf"'
    )


def test_a_certificate_being_prepared_has_nothing_to_download(client, participant):
    pending = pending_certificate(enrolment__person=participant)
    client.force_login(participant)
    assert client.get(download_path(pending)).status_code == 404


def test_a_certificate_whose_file_is_missing_is_a_404_not_an_error(
    client, participant, held, caplog
):
    certificate_storage().delete(held.pdf.name)
    client.force_login(participant)
    assert client.get(download_path(held)).status_code == 404
    assert "is missing" in caplog.text


# --- My learning ------------------------------------------------------------------------------


def cards(client, path="/learn/"):
    from bs4 import BeautifulSoup

    html = BeautifulSoup(client.get(path).content, "html.parser")
    return {
        card["id"].removeprefix("certificate-"): card
        for card in html.select(".enrolment-card[id^=certificate-]")
    }


def test_my_learning_lists_each_certificate_by_its_status(client, participant):
    valid = valid_certificate(enrolment__person=participant)
    pending = pending_certificate(enrolment__person=participant)
    revoked = revoke(valid_certificate(enrolment__person=participant), reason="Issued in error.")
    # A re-issue: the old one superseded by the new, both of the same enrolment.
    old = valid_certificate(enrolment__person=participant)
    Certificate.objects.filter(pk=old.pk).update(
        status=CertificateStatus.REVOKED, revoked_at=timezone.now(), revoked_reason="x"
    )
    new = valid_certificate(enrolment=old.enrolment, issued_on=timezone.localdate())
    Certificate.objects.filter(pk=old.pk).update(
        status=CertificateStatus.SUPERSEDED, superseded_by=new, revoked_at=None, revoked_reason=""
    )
    client.force_login(participant)
    shown = cards(client)
    assert set(shown) == {c.printed_code for c in (valid, pending, revoked, old, new)}

    text = shown[valid.printed_code].get_text(" ", strip=True)
    assert valid.programme_title in text and valid.printed_code in text
    links = [a["href"] for a in shown[valid.printed_code].select("a")]
    assert download_path(valid) in links and f"/verify/{valid.printed_code}/" in links

    assert "being prepared" in shown[pending.printed_code].get_text()
    assert not shown[pending.printed_code].select("a[href$='/download/']")

    revoked_text = shown[revoked.printed_code].get_text(" ", strip=True)
    assert "revoked" in revoked_text and "Issued in error." in revoked_text
    assert not shown[revoked.printed_code].select("a[href$='/download/']")

    superseded = shown[old.printed_code]
    assert not superseded.select("a[href$='/download/']")
    assert [a["href"] for a in superseded.select("a")] == [f"#certificate-{new.printed_code}"]

    # The page of its own says the same.
    assert set(cards(client, "/learn/certificates/")) == set(shown)


def test_my_learning_shows_only_ones_own_certificates(client, participant, trust_b):
    valid_certificate(enrolment__person=ClinicianFactory(trust=trust_b))
    client.force_login(participant)
    assert cards(client) == {}
    assert "You have no certificates yet" in client.get("/learn/").content.decode()


def test_my_learning_certificates_cost_one_query_however_many(client, participant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    valid_certificate(enrolment__person=participant)
    client.force_login(participant)
    client.get("/learn/")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/learn/").status_code == 200
        return len(captured)

    one = queries()
    for _ in range(4):
        valid_certificate(enrolment__person=participant)
    assert queries() == one
    assert len(cards(client)) == 5


def test_issued_on_is_shown_as_a_date(client, participant):
    valid_certificate(enrolment__person=participant, issued_on=datetime.date(2026, 11, 30))
    client.force_login(participant)
    assert "30 November 2026" in client.get("/learn/certificates/").content.decode()
