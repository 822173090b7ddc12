"""Follow-up surveys: made due by a completion, emailed by beat once, reminded once after two
weeks, answered once from a signed link, labels configurable."""

import datetime

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from outcomes import links, services
from outcomes.labels import labels, labels_save
from outcomes.models import SurveyInvitation, SurveyKind
from people.models import RoleAppointment
from programmes.services.completion import enrolment_complete
from tests.factories import EnrolmentFactory, RoleAppointmentFactory, UserFactory
from tests.factories_outcomes import SurveyInvitationFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def run_beat(capture):
    with capture(execute=True):
        return services.surveys_queue_due()


def test_a_completion_makes_both_surveys_due_once(django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory(status="enrolled")
    admin = UserFactory(is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_complete(enrolment=enrolment, by=admin)
    enrolment.refresh_from_db()
    rows = {row.kind: row for row in SurveyInvitation.objects.filter(enrolment=enrolment)}
    assert set(rows) == {SurveyKind.COMPLETION, SurveyKind.TWELVE_MONTHS}
    assert rows["twelve_months"].due_at - rows["completion"].due_at == datetime.timedelta(days=365)
    assert services.surveys_schedule(enrolment=enrolment) == 0  # a redelivery adds nothing


def test_beat_sends_each_invitation_once_and_one_reminder_after_two_weeks(
    django_capture_on_commit_callbacks,
):
    with time_machine.travel(START, tick=False):
        enrolment = EnrolmentFactory(status="completed")
        services.surveys_schedule(enrolment=enrolment, completed_at=START)
        assert run_beat(django_capture_on_commit_callbacks) == (1, 0)
        assert run_beat(django_capture_on_commit_callbacks) == (0, 0)  # a second run: nothing
    [message] = mail.outbox
    assert message.to == [enrolment.person.email]
    assert "/survey/" in message.body
    row = SurveyInvitation.objects.get(kind="completion")
    assert row.sent_at == START
    # 13 days 23 hours on: no reminder yet; at 14 days: one; never a second.
    with time_machine.travel(START + datetime.timedelta(days=14, hours=-1), tick=False):
        assert run_beat(django_capture_on_commit_callbacks) == (0, 0)
    with time_machine.travel(START + datetime.timedelta(days=14), tick=False):
        assert run_beat(django_capture_on_commit_callbacks) == (0, 1)
    with time_machine.travel(START + datetime.timedelta(days=40), tick=False):
        assert run_beat(django_capture_on_commit_callbacks) == (0, 0)
    assert len(mail.outbox) == 2 and "reminder" in mail.outbox[1].subject.lower()
    # 12 months on, the second survey; its reminder two weeks later.
    with time_machine.travel(START + datetime.timedelta(days=365), tick=False):
        assert run_beat(django_capture_on_commit_callbacks) == (1, 0)
    assert len(mail.outbox) == 3 and "a year" in mail.outbox[2].subject.lower()


def test_an_answered_survey_gets_no_reminder(django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False):
        row = SurveyInvitationFactory(due_at=START)
        run_beat(django_capture_on_commit_callbacks)
        services.survey_answer(
            token=links.make_token(row),
            relationship=2,
            outlook=1,
            role_title="Specialty registrar",
            role_category="clinical",
        )
    with time_machine.travel(START + datetime.timedelta(days=15), tick=False):
        assert run_beat(django_capture_on_commit_callbacks) == (0, 0)
    assert len(mail.outbox) == 1


def test_a_redelivered_send_task_sends_nothing():
    from outcomes.tasks import send_survey_invitation, send_survey_reminder

    row = SurveyInvitationFactory()
    assert send_survey_invitation(row.pk) == "sent"
    assert send_survey_invitation(row.pk) == "already sent"
    assert send_survey_reminder(row.pk) == "sent"
    assert send_survey_reminder(row.pk) == "already sent"
    assert len(mail.outbox) == 2


# --- the link ----------------------------------------------------------------------------------


def answer(client, token, **overrides):
    data = {
        "relationship": "2",
        "outlook": "1",
        "role_title": "Clinical lead for surgery",
        "role_category": "clinical_leadership",
    } | overrides
    return client.post(reverse("survey_answer", args=[token]), data)


def test_the_survey_is_answered_without_signing_in_and_shows_only_a_first_name(client):
    row = SurveyInvitationFactory(
        enrolment__person__first_name="Amara", enrolment__person__last_name="Okafor"
    )
    token = links.make_token(row)
    page = client.get(reverse("survey_answer", args=[token]))
    body = page.content.decode()
    assert page.status_code == 200 and "Amara" in body
    assert "Okafor" not in body and row.enrolment.person.email not in body
    assert "A partnership with areas of tension" in body  # the paper's wording by default
    assert answer(client, token).status_code == 200
    row.refresh_from_db()
    assert (row.relationship, row.outlook) == (2, 1) and row.answered_at
    # Reused: a clear page, nothing changed.
    again = answer(client, token, relationship="4")
    assert again.status_code == 410 and "already answered" in again.content.decode()
    assert client.get(reverse("survey_answer", args=[token])).status_code == 410
    row.refresh_from_db()
    assert row.relationship == 2


def test_a_changed_role_is_added_to_the_history_and_an_unchanged_one_is_not(client):
    row = SurveyInvitationFactory()
    person = row.enrolment.person
    RoleAppointmentFactory(
        person=person,
        title="Clinical lead for surgery",
        category="clinical_leadership",
        starts_on=datetime.date(2025, 1, 1),
    )
    answer(client, links.make_token(row), role_title=" clinical lead for Surgery ")
    assert RoleAppointment.objects.filter(person=person).count() == 1
    other = SurveyInvitationFactory(enrolment__person=person, kind="twelve_months")
    answer(
        client,
        links.make_token(other),
        role_title="Divisional director",
        role_category="clinical_leadership",
    )
    new = RoleAppointment.objects.filter(person=person).latest("pk")
    assert (new.title, new.source, new.starts_on) == (
        "Divisional director",
        "self_report",
        timezone.localdate(),
    )


def test_a_new_role_that_replaces_the_old_ends_it_the_day_before(client):
    row = SurveyInvitationFactory()
    person = row.enrolment.person
    old = RoleAppointmentFactory(
        person=person, title="Consultant anaesthetist", category="clinical",
        starts_on=datetime.date(2019, 9, 1),
    )  # fmt: skip
    ended = RoleAppointmentFactory(person=person, title="Rota lead", category="management",
                                   starts_on=datetime.date(2020, 1, 1),
                                   ends_on=datetime.date(2022, 1, 1))  # fmt: skip
    page = client.get(reverse("survey_answer", args=[links.make_token(row)])).content.decode()
    assert "does it replace the one you held before" in page
    assert "Consultant anaesthetist" not in page  # the link's page names none of their roles
    answer(client, links.make_token(row), role_title="Clinical director",
           role_category="clinical_leadership", replaces="replaces")  # fmt: skip
    old.refresh_from_db()
    ended.refresh_from_db()
    today = timezone.localdate()
    assert old.ends_on == today - datetime.timedelta(days=1)
    assert ended.ends_on == datetime.date(2022, 1, 1)  # already ended: left as it was
    current = list(RoleAppointment.objects.filter(person=person).current().values_list("title"))
    assert current == [("Clinical director",)]


def test_a_new_role_held_as_well_or_unsaid_keeps_the_others(client):
    row = SurveyInvitationFactory()
    person = row.enrolment.person
    old = RoleAppointmentFactory(
        person=person, title="Consultant anaesthetist", category="clinical",
        starts_on=datetime.date(2019, 9, 1),
    )  # fmt: skip
    answer(client, links.make_token(row), role_title="Clinical director",
           role_category="clinical_leadership", replaces="adds")  # fmt: skip
    other = SurveyInvitationFactory(enrolment__person=person, kind="twelve_months")
    answer(
        client,
        links.make_token(other),
        role_title="Divisional director",
        role_category="clinical_leadership",
    )  # fmt: skip  (not said: nothing ended)
    old.refresh_from_db()
    assert old.ends_on is None
    assert RoleAppointment.objects.filter(person=person).current().count() == 3
    # The same role again, "replacing": nothing changes (it is not a new role).
    third = SurveyInvitationFactory(enrolment__person=person)
    response = answer(client, links.make_token(third), role_title="Divisional director",
                      role_category="clinical_leadership", replaces="replaces")  # fmt: skip
    assert response.status_code == 200
    old.refresh_from_db()
    assert old.ends_on is None
    assert RoleAppointment.objects.filter(person=person).count() == 3


def test_a_tampered_made_up_or_expired_link_is_a_clear_page_never_a_500(client):
    row = SurveyInvitationFactory()
    token = links.make_token(row)
    for bad in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "x",
        signing.TimestampSigner(salt="other").sign(f"{row.pk}:{row.nonce}"),
        links._signer().sign(f"{row.pk}:wrong-nonce"),
        links._signer().sign("abc:def"),
    ):
        response = client.get(reverse("survey_answer", args=[bad]))
        assert response.status_code == 400 and "not valid" in response.content.decode()
        assert answer(client, bad).status_code == 400
    with time_machine.travel(timezone.now() + datetime.timedelta(days=29)):
        response = answer(client, token)
    assert response.status_code == 410 and "expired" in response.content.decode()
    row.refresh_from_db()
    assert row.answered_at is None


def test_a_form_error_is_shown_and_nothing_saved(client):
    row = SurveyInvitationFactory()
    response = answer(client, links.make_token(row), relationship="9", role_title="")
    assert response.status_code == 400
    assert "Enter your current job title" in response.content.decode()
    row.refresh_from_db()
    assert row.answered_at is None


# --- labels ------------------------------------------------------------------------------------


def test_changing_a_label_changes_the_words_not_the_answers(client):
    row = SurveyInvitationFactory()
    services.survey_answer(
        token=links.make_token(row), relationship=1, outlook=2, role_title="", role_category=""
    )
    assert labels_save(changes={"relationship": {1: "We work as one team"}}) == 1
    assert labels()["relationship"][1] == "We work as one team"
    row.refresh_from_db()
    assert row.relationship == 1
    other = SurveyInvitationFactory()
    page = client.get(reverse("survey_answer", args=[links.make_token(other)])).content.decode()
    assert "We work as one team" in page and "A strong partnership" not in page
    labels_save(changes={"relationship": {1: ""}})  # blank: back to the paper's
    assert labels()["relationship"][1] == "A strong partnership"
    with pytest.raises(ValueError):
        labels_save(changes={"relationship": {5: "Off the scale"}})


def test_only_a_superuser_edits_the_labels(rf):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.core.exceptions import PermissionDenied

    from outcomes.admin_views import answer_labels

    admin_a = UserFactory(roles=["Programme administrators"])
    request = rf.post("/admin/outcomes/labels/", {"relationship_1": "Changed"})
    request.user = admin_a
    with pytest.raises(PermissionDenied):
        answer_labels(request)
    assert labels()["relationship"][1] == "A strong partnership"
    request.user = UserFactory(is_superuser=True)
    request.session = {}
    request._messages = FallbackStorage(request)
    assert answer_labels(request).status_code == 302
    assert labels()["relationship"][1] == "Changed"
