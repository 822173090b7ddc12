"""Admin → Certificates → Find a certificate (/admin/certificates/held/, issue 13 part 3): the
certificates a member of staff may download for their records, each with its download — a
trust reporting lead's trust's people's, a host trust's administrator's cohorts', every one
for a superuser. The list is the download's own rule (certificates.permissions), tested
here against ``may_download`` certificate by certificate; filters only narrow it (another
trust's programme, name or code finds nothing); its queries do not grow with its rows; the
download from it is audited. And the cohort page offers each certificate's file."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.admin.menu import admin_menu

from audit.models import AuditEvent
from certificates import admin_held
from certificates.models import Certificate, CertificateStatus
from certificates.permissions import certificates_downloadable_as_staff, may_download
from people.access import AccessRole
from people.services import access_grant_create
from tests.factories import (
    CertificateFactory,
    ClinicianFactory,
    CohortFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    TrustFactory,
    UserFactory,
    give_totp,
)

pytestmark = pytest.mark.django_db

URL = "/admin/certificates/held/"
STAND_IN_PDF = b"%PDF-1.7\n% a stand-in certificate\n%%EOF\n"


def certificate(person, cohort, status="valid", *, trust=None, **fields):
    """A certificate of `person` from `cohort`, sent by `trust` (their own unless said)."""
    enrolment = EnrolmentFactory(
        person=person, cohort=cohort, status="completed", trust=trust or person.trust
    )
    if status in ("revoked", "superseded"):
        made = CertificateFactory(enrolment=enrolment, status="valid", pdf_content=STAND_IN_PDF)
        Certificate.objects.filter(pk=made.pk).update(
            status="revoked", revoked_at=timezone.now(), revoked_reason="Issued in error"
        )
        if status == "superseded":  # re-issued: the new one is still being prepared
            new = CertificateFactory(enrolment=enrolment, status="pending")
            Certificate.objects.filter(pk=made.pk).update(
                status=status, superseded_by=new, revoked_at=None, revoked_reason=""
            )
        made.refresh_from_db()
        return made
    if status == "valid":
        fields.setdefault("pdf_content", STAND_IN_PDF)
    return CertificateFactory(enrolment=enrolment, status=status, **fields)


@pytest.fixture
def world(trust_a, trust_b, superuser):
    """Trust A's people's certificates (from a cohort another trust hosts, and from trust B's
    own cohort), trust B's people's, in every status; and the staff who keep them."""
    host = TrustFactory(name="Wyvern Valley Hospitals NHS Trust", ods_code="RWV")
    shared = ProgrammeFactory(title="Leading Together")
    only_b = ProgrammeFactory(title="Southvale leadership")
    at_host = CohortFactory(programme=shared, host_trust=host, name="Wyvern, spring")
    at_b = CohortFactory(programme=only_b, host_trust=trust_b, name="Southvale, autumn")
    at_b_shared = CohortFactory(programme=shared, host_trust=trust_b, name="Southvale, spring")
    # A programme only trust B's people hold certificates of.
    b_own = ProgrammeFactory(title="Southvale board development")
    at_b_own = CohortFactory(programme=b_own, host_trust=trust_b, name="Southvale, winter")

    def person(first, last, trust):
        return ClinicianFactory(first_name=first, last_name=last, trust=trust)

    aisha, ben, chloe = (
        person(*n.split(), trust_a) for n in ("Aisha Khan", "Ben Jones", "Chloe Li")
    )
    moved = person("Dev", "Patel", TrustFactory())  # sent by trust A, works elsewhere now
    joined = person("Ewa", "Nowak", trust_a)  # sent by trust B, works for trust A now
    sentinel = person("Sam", "Sentinelson", trust_b)
    kept_a = [
        certificate(aisha, at_host),
        certificate(ben, at_host, "revoked"),
        certificate(chloe, at_host, "superseded"),
        certificate(chloe, at_b, trust=trust_a),
        certificate(moved, at_host, trust=trust_a),
        certificate(joined, at_b_shared, trust=trust_b),
    ]
    # Nothing to download: being prepared, or failed.
    unfiled = [
        certificate(aisha, at_b, "pending"),
        certificate(ben, at_b, "pending", render_status="failed", render_error="x"),
    ]
    of_b = [
        certificate(sentinel, at_b_own),
        certificate(sentinel, at_b_shared, "revoked"),
        certificate(sentinel, at_host),
    ]
    staff = {
        "lead A": UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD]),
        "lead B": UserFactory(trust=trust_b, roles=[AccessRole.TRUST_REPORTING_LEAD]),
        "admin of the host": UserFactory(trust=host, roles=[AccessRole.PROGRAMME_ADMINISTRATOR]),
        "admin A": UserFactory(trust=trust_a, roles=[AccessRole.PROGRAMME_ADMINISTRATOR]),
        "superuser": superuser,
    }
    two_roles = UserFactory(trust=trust_a, roles=[AccessRole.PROGRAMME_ADMINISTRATOR])
    access_grant_create(
        person=two_roles, role=AccessRole.TRUST_REPORTING_LEAD, trust=trust_b, by=None
    )
    staff["admin A, lead B"] = two_roles
    for user in staff.values():
        give_totp(user)
    return {
        "staff": staff,
        "kept_a": kept_a,
        "unfiled": unfiled,
        "of_b": of_b,
        "only_b": only_b,
        "b_own": b_own,
        "shared": shared,
        "sentinel": sentinel,
    }


def listed(client, query="") -> list[str]:
    """The codes on the page, in order, each checked to have its download link."""
    response = client.get(URL + query)
    assert response.status_code == 200
    html = BeautifulSoup(response.content, "html.parser")
    codes = []
    for row in html.select("table.listing tbody tr"):
        code = row.select("td")[4].get_text(strip=True)
        link = row.select_one("a[download]")
        assert link.get_text().startswith("Download")
        assert link["href"] == f"/learn/certificates/{code}/download/"
        codes.append(code)
    return codes


def sign_in(client, user):
    client.force_login(user)
    return client


# --- who sees what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["lead A", "lead B", "admin of the host", "admin A", "superuser", "admin A, lead B"]
)
def test_the_list_is_exactly_what_the_download_serves(client, world, who):
    """Certificate by certificate, the list and may_download agree (the user's own
    certificates aside: those are on My learning); and each listed file downloads."""
    user = world["staff"][who]
    sign_in(client, user)
    shown = set(listed(client))
    everything = Certificate.objects.exclude(enrolment__person=user)
    allowed = {c.printed_code for c in everything if may_download(user, c)}
    assert shown == allowed
    assert shown == {c.printed_code for c in certificates_downloadable_as_staff(user)}
    for code in shown:
        response = client.get(f"/learn/certificates/{code}/download/")
        assert response.status_code == 200, code
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_reporting_lead_sees_their_trusts_people_and_no_one_else(client, world):
    sign_in(client, world["staff"]["lead A"])
    shown = set(listed(client))
    assert shown == {c.printed_code for c in world["kept_a"]}
    # The moved-away holder (sent by trust A) and the newcomer (works for trust A) included;
    # trust B's people and what has no file yet left out.
    assert not shown & {c.printed_code for c in world["of_b"] + world["unfiled"]}
    page = client.get(URL).content.decode()
    assert "Sentinelson" not in page
    assert "as Northshire Hospitals NHS Foundation Trust's reporting lead" in page


def test_another_trusts_people_stay_out_whatever_the_filters(client, world, trust_b):
    """Lead A names trust B's programme, trust B's person and trust B's certificates' codes
    in the filters: nothing of trust B's appears, and nothing errs."""
    sign_in(client, world["staff"]["lead A"])
    sentinel_code = world["of_b"][0]
    queries = [
        "?search=Sentinelson",
        "?search=Sam+Sentinelson&status=valid",
        f"?search={sentinel_code.printed_code}",
        f"?search={sentinel_code.code.lower()}",
        f"?programme={world['only_b'].pk}",
        f"?programme={world['b_own'].pk}",
        f"?programme={world['shared'].pk}&search=Sentinelson",
        f"?programme={world['only_b'].pk}&status=revoked",
        "?status=pending",
        "?programme=999999999999999999999&p=abc",
        "?status=<script>&search=%00",
    ]
    b_codes = {c.printed_code for c in world["of_b"]}
    for query in queries:
        response = client.get(URL + query)
        assert response.status_code == 200, query
        html = BeautifulSoup(response.content, "html.parser")
        html.select_one("form[aria-label='Filter certificates']").decompose()  # the echo
        page = str(html)
        assert "Sentinelson" not in page, query
        assert not any(code in page for code in b_codes), query
        assert "table" not in page or not set(listed(client, query)) & b_codes, query
    # A programme only trust B's people hold is not among lead A's choices: "not one of the
    # choices", and the list is not filtered by it.
    page = client.get(f"{URL}?programme={world['b_own'].pk}").content.decode()
    assert "Select a valid choice" in page
    assert f'<option value="{world["b_own"].pk}"' not in page
    assert f'<option value="{world["only_b"].pk}"' in page  # Chloe Li's, of trust A


def test_a_lead_of_another_trust_gets_nothing_of_trust_a(client, world):
    sign_in(client, world["staff"]["lead B"])
    shown = set(listed(client))
    assert not shown & {
        c.printed_code for c in world["kept_a"] if c.enrolment.trust.ods_code == "RNS"
    }
    for query in ("?search=Aisha+Khan", "?search=Khan", f"?programme={world['shared'].pk}"):
        html = BeautifulSoup(client.get(URL + query).content, "html.parser")
        html.select_one("form[aria-label='Filter certificates']").decompose()  # the echo
        assert "Aisha Khan" not in str(html), query


def test_the_filters_narrow_by_programme_status_name_and_code(client, world):
    sign_in(client, world["staff"]["lead A"])
    kept = {c.participant_name + "/" + c.status: c.printed_code for c in world["kept_a"]}
    assert set(listed(client, "?status=revoked")) == {kept["Ben Jones/revoked"]}
    assert set(listed(client, "?status=superseded")) == {kept["Chloe Li/superseded"]}
    only_b = set(listed(client, f"?programme={world['only_b'].pk}"))
    assert only_b == {
        c.printed_code for c in world["kept_a"] if c.programme_title == "Southvale leadership"
    }
    assert set(listed(client, "?search=chloe")) == {
        c.printed_code for c in world["kept_a"] if c.participant_name == "Chloe Li"
    }
    assert listed(client, "?search=li+chloe&status=valid") == [
        c.printed_code
        for c in world["kept_a"]
        if c.participant_name == "Chloe Li" and c.status == "valid"
    ]
    aisha = world["kept_a"][0]
    assert listed(client, f"?search={aisha.code.lower()}") == [aisha.printed_code]
    assert listed(client, "?search=Nobody") == []
    assert (
        "No certificate matches these filters."
        in client.get(URL + "?search=Nobody").content.decode()
    )


def test_staff_who_keep_no_certificates_are_refused(client, trust_a):
    for roles in ([AccessRole.EDITOR], [AccessRole.REGIONAL_LEAD], [AccessRole.PARTICIPANT]):
        user = UserFactory(trust=trust_a, roles=roles)
        give_totp(user)
        sign_in(client, user)
        for method in (client.get, client.post):
            response = method(URL)
            assert response.status_code in (302, 403), roles
            assert response.get("Location") != URL
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


# --- the menu, and the administrators' pages ---------------------------------------------------


def menu_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    items = {item.name: item for item in admin_menu.menu_items_for_request(request)}
    certificates = items.get("certificates")
    if certificates is None:
        return None
    return [item.label for item in certificates.menu.menu_items_for_request(request)]


def test_a_reporting_lead_is_offered_only_the_list(client, world):
    lead = world["staff"]["lead A"]
    assert menu_for(lead) == ["Find a certificate"]
    assert menu_for(world["staff"]["admin of the host"]) == [
        "Cohorts",
        "Find a certificate",
        "Templates",
    ]
    assert menu_for(UserFactory(roles=[AccessRole.EDITOR])) is None
    # The administrators' pages keep refusing the lead: the index sends them to their list,
    # a cohort's page is a 404.
    sign_in(client, lead)
    response = client.get("/admin/certificates/")
    assert response.status_code == 302 and response["Location"] == URL
    cohort = world["kept_a"][0].enrolment.cohort
    assert client.get(f"/admin/certificates/cohorts/{cohort.pk}/").status_code == 404
    assert client.post(f"/admin/certificates/cohorts/{cohort.pk}/issue/").status_code == 404
    revoke = f"/admin/certificates/certificates/{world['kept_a'][0].pk}/revoke/"
    assert client.post(revoke, {"reason": "x"}).status_code == 404
    world["kept_a"][0].refresh_from_db()
    assert world["kept_a"][0].status == CertificateStatus.VALID


# --- the page's queries, pages and downloads ---------------------------------------------------


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_page_issues_the_same_queries_whatever_its_rows(
    client, world, trust_a, django_assert_max_num_queries
):
    lead = world["staff"]["lead A"]
    sign_in(client, lead)
    client.get(URL)  # the first visit saves the session: not the page's
    few = _queries(client)
    cohort = CohortFactory(programme=ProgrammeFactory(title="Another programme"))
    for _ in range(30):
        certificate(ClinicianFactory(trust=trust_a), cohort)
    assert _queries(client) == few
    # 14: session, user, grants, two permission lookups, TOTP, the Wagtail profile (7); the
    # programmes to filter by, the count, the trusts named in the introduction and the
    # page (4); the admin menu's locale and page and collection permissions (3).
    with django_assert_max_num_queries(14):
        client.get(URL)


def test_the_list_is_paginated_keeping_its_filters(client, world, trust_a):
    sign_in(client, world["staff"]["lead A"])
    cohort = CohortFactory(programme=ProgrammeFactory(title="Another programme"))
    for n in range(admin_held.PAGE_SIZE + 2):
        certificate(ClinicianFactory(trust=trust_a, last_name=f"Many{n}"), cohort)
    first = listed(client, "?search=Many")
    assert len(first) == admin_held.PAGE_SIZE
    page = client.get(URL + "?search=Many").content.decode()
    assert "Page 1 of 2" in page and "?search=Many&amp;p=2" in page
    second = listed(client, "?search=Many&p=2")
    assert len(second) == 2 and not set(first) & set(second)
    assert listed(client, "?search=Many&p=999") == second  # past the end: the last page


def test_a_download_from_the_list_is_audited(client, world):
    lead = world["staff"]["lead A"]
    sign_in(client, lead)
    [code] = listed(client, "?status=revoked")
    response = client.get(f"/learn/certificates/{code}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'{code}-revoked.pdf"')
    event = AuditEvent.objects.get(action="exported")
    assert event.actor_id == lead.pk and event.detail == {
        "export": "certificate",
        "status": "revoked",
    }


# --- the cohort page's downloads -------------------------------------------------------------


def test_the_cohort_page_offers_each_certificate_with_a_file(client, world):
    """Valid and revoked certificates have a Download named for their holder; one being
    prepared or failed has none — as may_download decides for the cohort's administrator."""
    admin = world["staff"]["admin of the host"]
    sign_in(client, admin)
    cohort = world["kept_a"][0].enrolment.cohort
    failed = certificate(
        ClinicianFactory(first_name="Fay", last_name="Failed"), cohort, "pending",
        render_status="failed", render_error="The printer caught fire",
    )  # fmt: skip
    html = BeautifulSoup(
        client.get(f"/admin/certificates/cohorts/{cohort.pk}/").content, "html.parser"
    )
    links = {
        a["href"]: a.get_text(" ", strip=True)
        for a in html.select("table.listing a")
        if a.get_text().startswith("Download")
    }
    shown = Certificate.objects.filter(enrolment__cohort=cohort).exclude(status="superseded")
    assert failed in shown
    for c in shown:
        href = f"/learn/certificates/{c.printed_code}/download/"
        assert (href in links) == may_download(admin, c), c
        if href in links:
            assert links[href].startswith(f"Download the certificate of {c.enrolment.person}")
            assert client.get(href).status_code == 200
    revoked = next(c for c in shown if c.status == "revoked")
    assert "(revoked)" in links[f"/learn/certificates/{revoked.printed_code}/download/"]
    assert sum(1 for c in shown if may_download(admin, c)) >= 2
