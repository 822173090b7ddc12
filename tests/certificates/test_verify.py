"""Public verification (/verify/, /verify/<code>/; issue 13 §4): what an employer sees for
each status, the forgiving and canonical code, the 404 that tells a guesser nothing, the rate
limit on guessing, "Check a PDF" (hashed, never kept), and nothing else about the person."""

import datetime
import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.test import Client, RequestFactory
from django.utils import timezone

from certificates import codes, pdf_check, verify_views
from certificates.models import certificate_storage
from certificates.personal_data import ERASED_REASON, erase_certificates
from tests.factories import CertificateFactory, ClinicianFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 Amara Okafor's certificate, as issued"
EMAIL = "amara.okafor@northshire.nhs.uk"
REGISTRATION = "7123456"


@pytest.fixture
def amara(trust_a):
    """A registrar with an email address and a GMC number, neither of which may ever appear
    on a verification page."""
    return ClinicianFactory(
        first_name="Amara",
        last_name="Okafor",
        email=EMAIL,
        trust=trust_a,
        registration_number=REGISTRATION,
    )


@pytest.fixture
def enrolment(amara, trust_b):
    # Hosted by another trust than her own: the certificate names the issuing trust.
    return EnrolmentFactory(
        person=amara,
        status="completed",
        cohort__host_trust=trust_b,
        cohort__programme__title="Leading Together: clinicians and managers",
        cohort__programme__cpd_hours=18.5,
        cohort__starts_on=datetime.date(2026, 1, 12),
        cohort__ends_on=datetime.date(2026, 7, 3),
    )


@pytest.fixture
def valid(enrolment):
    return CertificateFactory(
        enrolment=enrolment,
        status="valid",
        pdf_content=PDF,
        issued_on=datetime.date(2026, 7, 10),
    )


def page(client, certificate, **extra):
    return client.get(f"/verify/{certificate.printed_code}/", **extra)


def text(response) -> str:
    return response.content.decode()


def assert_nothing_else_about_the_person(response, enrolment):
    body = text(response)
    assert EMAIL not in body and "amara.okafor" not in body
    assert REGISTRATION not in body
    # No enrolment id in any link or field, and no link to the file itself.
    assert "enrolment" not in body.lower()
    assert ".pdf" not in re.sub(r'accept="[^"]*"', "", body)


def revoke(certificate, *, on, reason):
    certificate.status = "revoked"
    certificate.revoked_at = on
    certificate.revoked_reason = reason
    certificate.save()


def reissue(certificate):
    """A re-issue as the database has it: a new live certificate of the same enrolment, the
    old one superseded and pointing at it."""
    certificate.status = "revoked"  # out of the one-live slot while the new one is made
    certificate.revoked_at, certificate.revoked_reason = timezone.now(), "Re-issued"
    certificate.save()
    new = CertificateFactory(enrolment=certificate.enrolment, status="valid")
    certificate.status, certificate.superseded_by = "superseded", new
    certificate.revoked_at, certificate.revoked_reason = None, ""
    certificate.save()
    return new


# --- the form --------------------------------------------------------------------------------


def test_the_form_asks_for_a_code(client):
    response = client.get("/verify/")
    assert response.status_code == 200
    body = text(response)
    assert "<h1>Check a certificate</h1>" in body
    assert 'name="code"' in body and 'method="get"' in body


@pytest.mark.parametrize("how", [str.lower, str.upper])
@pytest.mark.parametrize("separator", ["-", " ", "", " - "])
def test_a_code_typed_any_way_leads_to_its_printed_page(client, valid, how, separator):
    typed = separator.join(how(valid.code[i : i + 4]) for i in range(0, 28, 4))
    response = client.get("/verify/", {"code": f"  {typed} "})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{valid.printed_code}/"


@pytest.mark.parametrize("typed", ["ABC-123", "K7QF-ZP2M-9XRT", "<script>", "U" * 28, "A" * 70])
def test_a_malformed_code_is_a_form_error_saying_what_a_code_looks_like(client, typed):
    response = client.get("/verify/", {"code": typed})
    assert response.status_code == 200
    body = text(response)
    assert "<title>Error: Check a certificate" in body
    assert "28 letters and numbers in seven groups of four" in body
    assert 'class="error-summary"' in body and 'href="#id_code"' in body


def test_an_empty_code_asks_for_one(client):
    response = client.get("/verify/", {"code": ""})
    assert response.status_code == 200 and "Enter the certificate code." in text(response)


# --- the certificate page, by status ---------------------------------------------------------


def test_a_valid_certificate_shows_what_it_states(client, valid, enrolment, trust_b):
    response = page(client, valid)
    assert response.status_code == 200
    body = text(response)
    assert "Status: valid" in body
    assert "Amara Okafor" in body
    assert "Leading Together: clinicians and managers" in body
    assert "12 January 2026 to 3 July 2026" in body
    assert "<dt>CPD hours</dt><dd>18.5</dd>" in body
    assert "<dt>Issued on</dt><dd>10 July 2026</dd>" in body
    assert f"<dt>Issued by</dt><dd>{trust_b.name}</dd>" in body
    assert hashlib.sha256(PDF).hexdigest() in body
    assert valid.printed_code in body
    assert_nothing_else_about_the_person(response, enrolment)


def test_a_certificate_being_prepared_says_so_and_has_no_file_to_check(client, enrolment):
    pending = CertificateFactory(enrolment=enrolment)
    response = page(client, pending)
    assert response.status_code == 200
    body = text(response)
    assert "Status: being prepared" in body and "Amara Okafor" in body
    assert "Not made yet" in body
    assert 'type="file"' not in body
    assert_nothing_else_about_the_person(response, enrolment)


def test_a_revoked_certificate_says_when_and_why(client, valid, enrolment):
    revoke(
        valid,
        on=datetime.datetime(2026, 9, 4, 10, 0, tzinfo=datetime.UTC),
        reason="Issued in error: attendance was recorded against the wrong cohort.",
    )
    response = page(client, valid)
    assert response.status_code == 200
    body = text(response)
    assert "Status: revoked on 4 September 2026" in body
    assert "Issued in error: attendance was recorded against the wrong cohort." in body
    assert "Status: valid" not in body
    assert_nothing_else_about_the_person(response, enrolment)


def test_a_superseded_certificate_links_to_the_one_that_counts_now(client, valid, enrolment):
    middle = reissue(valid)
    current = reissue(middle)
    response = page(client, valid)
    assert response.status_code == 200
    body = text(response)
    assert "Status: superseded on re-issue" in body
    # The end of the chain, not the re-issue in between that was itself replaced.
    assert f'href="/verify/{current.printed_code}/"' in body
    assert middle.printed_code not in body
    assert "(status: valid)" in body
    assert_nothing_else_about_the_person(response, enrolment)
    # ...and the current one is valid on its own page.
    assert "Status: valid" in text(page(client, current))


def test_an_erased_persons_certificate_shows_no_name(client, valid, amara, enrolment):
    erase_certificates(amara, by=None, reason="Their request")
    response = page(client, valid)
    assert response.status_code == 200
    body = text(response)
    assert "<dt>Name</dt><dd>Name withheld</dd>" in body
    assert "Amara" not in body and "Okafor" not in body
    assert "Status: revoked on" in body and ERASED_REASON.replace("'", "&#x27;") in body
    assert_nothing_else_about_the_person(response, enrolment)


def test_the_page_is_never_kept_by_a_shared_cache(client, valid):
    first = page(client, valid)
    assert "no-store" in first["Cache-Control"] and "private" in first["Cache-Control"]
    assert "X-Tandem-Page-Cache" not in first
    revoke(valid, on=timezone.now(), reason="Issued in error")
    # The very next look says so: nothing served a stored copy.
    assert "Status: revoked on" in text(page(client, valid))
    for path in ("/verify/", "/verify/nope/"):
        assert "no-store" in client.get(path)["Cache-Control"]


def test_query_count_is_pinned(client, valid, django_assert_max_num_queries):
    # Anonymous (no session, no user), so: the certificate by its code, and the request's
    # Wagtail Site for the menu and footer links (cms.sites) — 2.
    page(client, valid)  # warm what the site's menus cache
    with django_assert_max_num_queries(2):
        assert page(client, valid).status_code == 200
    # A superseded one adds one query, its enrolment's chain of re-issues, however long — 3.
    middle = reissue(valid)
    reissue(middle)
    page(client, valid)
    with django_assert_max_num_queries(3):
        assert page(client, valid).status_code == 200
    # A miss: the code, the Site, and Wagtail's redirects middleware looking for a redirect
    # from the path, as it does for every 404 — 3.
    with django_assert_max_num_queries(3):
        assert client.get(f"/verify/{codes.grouped(codes.new_code())}/").status_code == 404


# --- the canonical address -------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_typed",
    [
        lambda c: c.code.lower(),
        lambda c: c.code,
        lambda c: c.printed_code.lower(),
        lambda c: " ".join(c.printed_code.split("-")),
        lambda c: c.code.replace("0", "o").replace("1", "l"),
    ],
)
def test_any_case_or_hyphenation_redirects_to_the_printed_address(client, valid, as_typed):
    response = client.get(f"/verify/{as_typed(valid)}/")
    assert response.status_code == 301
    assert response["Location"] == f"/verify/{valid.printed_code}/"
    assert client.get(response["Location"]).status_code == 200


# --- codes that find nothing -----------------------------------------------------------------


def test_malformed_and_unknown_codes_get_the_same_friendly_404(client, valid):
    unknown = codes.grouped(codes.new_code())
    near_miss = valid.printed_code[:-1] + ("0" if valid.printed_code[-1] != "0" else "1")
    answers = [
        client.get(f"/verify/{path}/")
        for path in (unknown, near_miss, "not-a-code", "K7QF-ZP2M", "A" * 500, "%3Cb%3E")
    ]
    assert {a.status_code for a in answers} == {404}
    bodies = {a.content for a in answers}
    assert len(bodies) == 1, "a malformed code's 404 differs from an unknown one's"
    body = answers[0].content.decode()
    assert "We could not find a certificate with that code" in body
    assert 'name="code"' in body  # the form, to try again
    assert unknown not in body and "not-a-code" not in body
    # Headers tell nothing apart either (bar the date).
    assert {
        tuple(sorted((k, v) for k, v in a.items() if k != "Date")) for a in answers
    }.__len__() == 1


def test_a_pdf_posted_to_an_unknown_code_is_the_same_404(client):
    unknown = codes.grouped(codes.new_code())
    response = client.post(f"/verify/{unknown}/", {"pdf": SimpleUploadedFile("c.pdf", PDF)})
    assert response.status_code == 404
    assert response.content == client.get("/verify/not-a-code/").content


# --- the rate limit on guessing --------------------------------------------------------------


def test_guessing_is_refused_past_the_limit_and_then_every_lookup_is(client, valid):
    limit = verify_views.VERIFY_MISSES.attempts
    me = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(limit):
        assert client.get(f"/verify/{codes.grouped(codes.new_code())}/", **me).status_code == 404
    refused = client.get(f"/verify/{codes.grouped(codes.new_code())}/", **me)
    assert refused.status_code == 429
    retry_after = int(refused["Retry-After"])
    assert 0 < retry_after <= verify_views.VERIFY_MISSES.window_seconds
    assert "Too many codes checked" in text(refused) and "no-store" in refused["Cache-Control"]
    # Once over, a real certificate is refused too (from that address, for the window)...
    assert page(client, valid, **me).status_code == 429
    assert client.post(f"/verify/{valid.printed_code}/", {}, **me).status_code == 429
    # ...but not from anyone else's.
    assert page(client, valid, REMOTE_ADDR="198.51.100.20").status_code == 200


def test_checking_many_real_certificates_is_never_refused(client, valid):
    others = [CertificateFactory(status="valid") for _ in range(3)]
    me = {"REMOTE_ADDR": "203.0.113.8"}
    for _ in range(verify_views.VERIFY_MISSES.attempts + 5):
        for certificate in (valid, *others):
            assert page(client, certificate, **me).status_code == 200


def test_the_limit_reads_the_address_the_project_trusts(client, valid, settings):
    # Behind the one trusted proxy the last X-Forwarded-For entry is the client's
    # (audit.services.client_ip, which django-axes's setting mirrors): forging earlier
    # entries does not give a guesser a fresh allowance.
    settings.AUDIT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    for n in range(verify_views.VERIFY_MISSES.attempts):
        client.get(
            f"/verify/{codes.grouped(codes.new_code())}/",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.9",
        )
    assert page(client, valid, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9").status_code == 429
    assert page(client, valid, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 200


# --- Check a PDF -----------------------------------------------------------------------------


def check(client, certificate, content, name="certificate.pdf", **extra):
    return client.post(
        f"/verify/{certificate.printed_code}/",
        {"pdf": SimpleUploadedFile(name, content, content_type="application/pdf")},
        **extra,
    )


def test_the_issued_file_matches(client, valid, enrolment):
    response = check(client, valid, PDF)
    assert response.status_code == 200
    body = text(response)
    assert "This file matches" in body and "exactly the file issued under this code" in body
    assert "does not match" not in body
    assert_nothing_else_about_the_person(response, enrolment)


def test_any_other_file_does_not_match(client, valid):
    for content in (PDF + b" ", PDF[:-1], b"not a pdf at all", b"\x00" * 100):
        body = text(check(client, valid, content, name="x.docx"))
        assert "This file does not match" in body and "This file matches" not in body


def test_another_certificates_file_is_only_said_not_to_match_this_one(client, valid):
    other_pdf = b"%PDF-1.7 someone else's certificate"
    other = CertificateFactory(status="valid", pdf_content=other_pdf)
    body = text(check(client, valid, other_pdf))
    assert "This file does not match" in body
    assert other.printed_code not in body and other.participant_name not in body
    assert other.sha256 not in body


def test_a_match_on_a_revoked_certificate_says_it_is_revoked(client, valid):
    revoke(valid, on=timezone.now(), reason="Issued in error")
    body = text(check(client, valid, PDF))
    assert "This file matches" in body and "has been revoked" in body


def test_a_match_on_a_superseded_certificate_points_at_the_re_issue(client, valid):
    current = reissue(valid)
    body = text(check(client, valid, PDF))
    assert "This file matches" in body and "replaced by a re-issue" in body
    assert f'href="/verify/{current.printed_code}/"' in body


def test_no_file_chosen_or_an_empty_one_is_a_clear_error(client, valid):
    response = client.post(f"/verify/{valid.printed_code}/", {})
    assert response.status_code == 200
    assert "Choose the PDF file you want to check." in text(response)
    assert "<title>Error:" in text(response)
    empty = text(check(client, valid, b""))
    assert "The file you chose is empty." in empty


def test_an_oversized_upload_is_refused_with_a_clear_error(client, valid, monkeypatch):
    monkeypatch.setattr(pdf_check, "MAX_BYTES", 4096)
    # Small enough that its declared length passes; the handler stops it as it streams.
    streamed = check(client, valid, PDF + b"x" * 5000)
    # Longer than any allowed upload could be: refused before the body is read.
    declared = check(client, valid, b"x" * (4096 + pdf_check.MULTIPART_OVERHEAD + 1))
    for response in (streamed, declared):
        assert response.status_code == 413
        body = text(response)
        assert "The file is larger than 10 MB" in body
        assert "This file matches" not in body and "does not match" not in body


@pytest.mark.parametrize("drain_max, read_all", [(10**9, True), (10_000, False)])
def test_a_body_declared_too_large_is_never_parsed_and_read_only_up_to_a_point(
    valid, monkeypatch, drain_max, read_all
):
    # Read and thrown away (so a browser gets the answer, not a reset connection) while it
    # is no longer than DRAIN_MAX_BYTES; past that, answered without being read at all.
    monkeypatch.setattr(pdf_check, "MAX_BYTES", 1000)
    monkeypatch.setattr(pdf_check, "DRAIN_MAX_BYTES", drain_max)
    upload = SimpleUploadedFile("c.pdf", b"x" * (1000 + pdf_check.MULTIPART_OVERHEAD + 1))
    request = RequestFactory().post(f"/verify/{valid.printed_code}/", {"pdf": upload})
    response = verify_views.verify_code(request, valid.printed_code)
    assert response.status_code == 413 and "larger than" in response.content.decode()
    assert not hasattr(request, "_files")  # the multipart body was never parsed
    stream = request._stream
    assert (stream._pos == stream.limit) is read_all


def test_an_upload_of_just_over_10_mb_is_refused(client, valid):
    response = check(client, valid, PDF + b"x" * pdf_check.MAX_BYTES)
    assert response.status_code == 413 and "larger than 10 MB" in text(response)


def test_an_upload_is_never_stored(client, valid, monkeypatch):
    # Django's own handlers keep an upload in memory or in a temporary file; neither may run.
    def refuse(*args, **kwargs):
        raise AssertionError("the upload reached one of Django's storing handlers")

    monkeypatch.setattr(MemoryFileUploadHandler, "new_file", refuse)
    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", refuse)
    storage = certificate_storage()
    before = storage.listdir("test")
    big = PDF + b"x" * (3 * 1024 * 1024)  # over Django's 2.5 MB in-memory limit
    assert "This file does not match" in text(check(client, valid, big))
    assert "This file matches" in text(check(client, valid, PDF))
    assert storage.listdir("test") == before


def test_checking_a_pdf_needs_no_sign_in_but_does_need_the_pages_csrf_token(valid):
    client = Client(enforce_csrf_checks=True)
    form_page = page(client, valid)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(form_page)).group(1)
    upload = {"pdf": SimpleUploadedFile("c.pdf", PDF), "csrfmiddlewaretoken": token}
    response = client.post(f"/verify/{valid.printed_code}/", upload)
    assert response.status_code == 200 and "This file matches" in text(response)
    forged = Client(enforce_csrf_checks=True).post(
        f"/verify/{valid.printed_code}/", {"pdf": SimpleUploadedFile("c.pdf", PDF)}
    )
    assert forged.status_code == 403


def test_pdf_check_form_is_on_the_canonical_address_with_a_file_field(client, valid):
    body = text(page(client, valid))
    assert f'action="/verify/{valid.printed_code}/#check-a-pdf"' in body
    assert 'enctype="multipart/form-data"' in body and 'type="file"' in body


# --- the selector ----------------------------------------------------------------------------


def test_certificate_by_code_finds_the_end_of_a_chain_of_re_issues(
    valid, django_assert_num_queries
):
    from certificates.selectors import certificate_by_code

    assert certificate_by_code(None) is None and certificate_by_code("") is None
    assert certificate_by_code(codes.new_code()) is None
    with django_assert_num_queries(1):
        assert certificate_by_code(valid.code).current is None
    current = valid
    for _ in range(4):
        current = reissue(current)
    # The certificate, then its enrolment's certificates at once: 2, whatever the length.
    with django_assert_num_queries(2):
        found = certificate_by_code(valid.code)
    assert found.pk == valid.pk and found.current.pk == current.pk
