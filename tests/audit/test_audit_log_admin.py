"""The audit log in the admin: superusers only, filterable, paginated, bounded, exportable."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEvent
from tests.audit.helpers import sign_in
from tests.factories import AuditEventFactory, ClinicianFactory, UserFactory

pytestmark = pytest.mark.django_db

INDEX = "/admin/audit-log/"


def rows_of(response):
    return response.context["object_list"]


def test_superuser_sees_the_log(client, superuser, participant):
    AuditEventFactory(subject=participant, subject_label="Priya Shah", action="viewed")
    sign_in(client, superuser)
    response = client.get(reverse("audit_log:index"))
    assert response.status_code == 200
    assert "Priya Shah" in response.content.decode()
    assert "Download CSV" in response.content.decode()


def test_the_menu_offers_it_to_superusers_only(client, superuser, administrator):
    sign_in(client, superuser)
    assert INDEX in client.get("/admin/").content.decode()
    client.logout()
    sign_in(client, administrator)
    assert INDEX not in client.get("/admin/").content.decode()


def test_a_participant_cannot_open_the_log(client, participant):
    AuditEventFactory(subject_label="Someone Else")
    sign_in(client, participant)
    for url in (reverse("audit_log:index"), reverse("audit_log:export")):
        response = client.get(url)
        assert response.status_code in (302, 403)  # Wagtail sends them away from the admin
        assert b"Someone Else" not in response.content


def test_a_programme_administrator_is_refused_and_the_refusal_audited(client, administrator):
    AuditEventFactory(subject_label="Someone Else")
    sign_in(client, administrator)
    for url in (reverse("audit_log:index"), reverse("audit_log:export")):
        response = client.get(url)
        # Wagtail turns the 403 into a redirect to the dashboard with a message.
        assert response.status_code == 302
        assert response["Location"] == "/admin/"
    refusals = AuditEvent.objects.filter(action=AuditAction.REFUSED, actor=administrator)
    assert refusals.count() == 2


def test_filters_by_action_actor_subject_and_date(client, superuser, trust_a):
    alice = UserFactory(email="alice@northshire.nhs.uk", trust=trust_a)
    bob = UserFactory(email="bob@northshire.nhs.uk", trust=trust_a)
    carol = ClinicianFactory(email="carol@northshire.nhs.uk", trust=trust_a)
    long_ago = timezone.now() - timedelta(days=40)
    e1 = AuditEventFactory(actor=alice, subject=carol, action="viewed")
    e2 = AuditEventFactory(actor=bob, subject=carol, action="changed")
    e3 = AuditEventFactory(actor=alice, subject=bob, action="changed", created_at=long_ago)
    sign_in(client, superuser)
    url = reverse("audit_log:index")

    def found(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {e.pk for e in rows_of(response)} & {e1.pk, e2.pk, e3.pk}

    assert found(action="changed") == {e2.pk, e3.pk}
    assert found(actor="ALICE@northshire.nhs.uk") == {e1.pk, e3.pk}
    assert found(actor=str(bob.pk)) == {e2.pk}
    assert found(subject="carol@northshire.nhs.uk") == {e1.pk, e2.pk}
    assert found(subject=str(bob.pk)) == {e3.pk}
    recent = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert found(created_at_from=recent) == {e1.pk, e2.pk}
    old_until = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert found(created_at_to=old_until) == {e3.pk}
    assert found(action="changed", actor="alice@northshire.nhs.uk") == {e3.pk}


def test_the_listing_is_paginated_with_a_fixed_number_of_queries(
    client, superuser, trust_a, django_assert_max_num_queries
):
    actors = UserFactory.create_batch(3, trust=trust_a)
    subjects = ClinicianFactory.create_batch(3, trust=trust_a)
    for i in range(60):
        AuditEventFactory(actor=actors[i % 3], subject=subjects[i % 3])
    sign_in(client, superuser)
    client.get(reverse("audit_log:index"))  # warm the content-type and Wagtail caches
    # 9 today: session, user, 2FA check, Wagtail's user profile, locales and two page-tree
    # queries for the menu, then the count and the page of 50 (names are copied into each
    # row, so nothing per row). One spare for Wagtail; 60 rows or 6,000 cost the same.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("audit_log:index"))
    assert len(rows_of(response)) == 50
    page_two = client.get(reverse("audit_log:index"), {"p": 2})
    assert len(rows_of(page_two)) >= 10


def test_the_export_is_csv_of_the_filtered_log_and_is_itself_audited(client, superuser, trust_a):
    carol = ClinicianFactory(email="carol@northshire.nhs.uk", trust=trust_a)
    AuditEventFactory(subject=carol, action="viewed", user_agent='=HYPERLINK("http://evil")')
    AuditEventFactory(subject=carol, action="changed")
    AuditEventFactory(action="viewed")  # someone else's data
    sign_in(client, superuser)
    response = client.get(reverse("audit_log:export"), {"subject": carol.email})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(row["action"] for row in rows) == ["changed", "viewed"]
    assert {row["subject_id"] for row in rows} == {str(carol.pk)}
    # A formula in an attacker-controlled header is defused for spreadsheet programs.
    agents = {row["user_agent"] for row in rows}
    assert '\'=HYPERLINK("http://evil")' in agents

    export = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert export.actor == superuser
    assert export.detail == {
        "export": "audit log",
        "filters": {"subject": carol.email},
        "rows": 2,
    }
