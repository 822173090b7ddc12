"""The sponsor's emailed link (programmes.sponsors, programmes.services.sponsors and the page
at /sponsor/<token>/): signed, expiring, single-use; a GET changes nothing; the answer goes
through the enrolment services. And the sponsor on the participant's profile."""

import re
import time

import pytest
from bs4 import BeautifulSoup
from django.core import mail, signing
from django.test import Client

from accounts.services import INVITATION_SALT
from outbox.models import OutboxMessage
from privacy.services import person_erase
from programmes import services, sponsors
from programmes.models import Enrolment, EnrolmentEvent, EnrolmentStatus
from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db
S = EnrolmentStatus
SPONSOR = {"sponsor_name": "Dr Ada O'Connor", "sponsor_email": "ada.oconnor@nhs.net"}
DAY = 86_400


def text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/sponsor/\S+/)", message.body).group(1)


@pytest.fixture
def sponsored(trust_a):
    return CohortFactory(host_trust=trust_a, requires_sponsor_approval=True, capacity=2)


@pytest.fixture
def apply(django_capture_on_commit_callbacks):
    """Apply through the service, run what it queued (the email task), and return the
    enrolment and the path of the link the sponsor was sent."""

    def apply(person, cohort, **sponsor):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            enrolment = services.enrolment_create(
                person=person,
                cohort=cohort,
                by=person,
                goals="Learn how the theatre budget is set & argued for.",
                current_role="Registrar in anaesthetics",
                **(sponsor or SPONSOR),
            )
        [message] = [m for m in mail.outbox if m.to == [enrolment.sponsor_email]]
        return enrolment, link_path(message)

    return apply


def snapshot(enrolment):
    enrolment.refresh_from_db()
    return (
        enrolment.status,
        enrolment.sponsor_nonce,
        enrolment.status_changed_at,
        EnrolmentEvent.objects.filter(enrolment=enrolment).count(),
        OutboxMessage.objects.count(),
    )


def shift_clock(monkeypatch, seconds):
    """Move time.time (which django.core.signing reads) ``seconds`` ahead."""
    real = time.time
    monkeypatch.setattr("time.time", lambda: real() + seconds)


# --- the link and its page --------------------------------------------------------------------


def test_the_page_shows_the_application_and_a_get_changes_nothing(
    client, participant, sponsored, apply
):
    enrolment, path = apply(participant, sponsored)
    assert enrolment.status == S.PENDING_APPROVAL
    before = snapshot(enrolment)
    for _ in range(3):  # a mail scanner, a link preview, then the sponsor
        response = client.get(path)
        assert response.status_code == 200
    assert snapshot(enrolment) == before
    page = text(response)
    for shown in (
        participant.get_full_name(),
        participant.job_title,
        participant.trust.name,
        sponsored.programme.title,
        sponsored.name,
        sponsored.starts_on.strftime("%-d %B %Y"),
        "Learn how the theatre budget is set & argued for.",
    ):
        assert shown in page, shown
    assert participant.email not in page  # what the sponsor needs, no more
    cache = response["Cache-Control"]
    assert "private" in cache and "no-store" in cache
    forms = BeautifulSoup(response.content, "html.parser").select("main form[method=post]")
    assert {f.select_one("[name=answer]")["value"] for f in forms} == {"approve", "decline"}
    assert all(f.select_one("[name=csrfmiddlewaretoken]") for f in forms)


def test_the_page_costs_a_fixed_number_of_queries(
    client, participant, sponsored, apply, django_assert_max_num_queries
):
    _, path = apply(participant, sponsored)
    # The enrolment with its person, trust, cohort, programme and host trust (one joined
    # query); the base template's site (two), main navigation and footer links (one each),
    # as on every page.
    with django_assert_max_num_queries(5):
        assert client.get(path).status_code == 200


def test_approving_gives_a_place_and_the_link_then_says_it_was_answered(
    client, participant, sponsored, apply
):
    enrolment, path = apply(participant, sponsored)
    response = client.post(path, {"answer": "approve"})
    assert response.status_code == 200
    assert "You approved" in text(response)
    enrolment.refresh_from_db()
    assert enrolment.status == S.ENROLLED
    assert enrolment.sponsor_nonce == ""  # single use
    event = enrolment.events.order_by("pk").last()
    assert (event.action, event.by) == ("approve", None)
    assert "Dr Ada O'Connor (ada.oconnor@nhs.net)" in event.reason
    assert "emailed link" in event.reason

    again = client.get(path)
    assert again.status_code == 410
    assert "already been answered" in text(again)
    assert f"approved on {event.at.strftime('%-d %B %Y')}" in text(again)
    before = snapshot(enrolment)
    assert client.post(path, {"answer": "decline"}).status_code == 410
    assert snapshot(enrolment) == before


def test_approval_when_the_cohort_is_full_puts_them_on_the_waiting_list(
    client, participant, trust_a, apply
):
    cohort = CohortFactory(host_trust=trust_a, requires_sponsor_approval=True, capacity=1)
    enrolment, path = apply(participant, cohort)
    EnrolmentFactory(cohort=cohort)  # the last seat went while the sponsor thought
    response = client.post(path, {"answer": "approve"})
    assert response.status_code == 200
    assert "on the waiting list" in text(response)
    enrolment.refresh_from_db()
    assert enrolment.status == S.WAITLISTED and enrolment.waitlisted_at is not None


def test_declining_withdraws_the_application_with_the_sponsors_reason(
    client, participant, sponsored, apply
):
    enrolment, path = apply(participant, sponsored)
    response = client.post(path, {"answer": "decline", "reason": "Not during the  rota change."})
    assert response.status_code == 200
    assert "You declined" in text(response)
    enrolment.refresh_from_db()
    assert enrolment.status == S.WITHDRAWN and enrolment.sponsor_nonce == ""
    event = enrolment.events.order_by("pk").last()
    assert (event.action, event.by) == ("decline", None)
    assert event.reason == (
        "Declined by the sponsor, Dr Ada O'Connor (ada.oconnor@nhs.net), from their emailed "
        "link. Their reason: Not during the rota change."
    )
    assert client.get(path).status_code == 410


def test_the_applicant_cannot_answer_their_own_request(client, participant, sponsored, apply):
    enrolment, path = apply(participant, sponsored)
    client.force_login(participant)
    before = snapshot(enrolment)
    for method in ("get", "post"):
        response = getattr(client, method)(path, {"answer": "approve"})
        assert response.status_code == 403
        assert "nobody can approve their own place" in text(response)
    assert snapshot(enrolment) == before


def test_a_post_without_an_answer_or_with_too_long_a_reason_changes_nothing(
    client, participant, sponsored, apply
):
    enrolment, path = apply(participant, sponsored)
    before = snapshot(enrolment)
    response = client.post(path, {"answer": "maybe"})
    assert response.status_code == 400 and "Choose Approve or Decline." in text(response)
    response = client.post(path, {"answer": "decline", "reason": "x" * 1001})
    assert response.status_code == 400 and "under 1,000 characters" in text(response)
    assert snapshot(enrolment) == before


def test_the_answer_needs_the_pages_csrf_token(participant, sponsored, apply):
    enrolment, path = apply(participant, sponsored)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(path, {"answer": "approve"}).status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.status == S.PENDING_APPROVAL
    # With the page's own token it works.
    page = BeautifulSoup(strict.get(path).content, "html.parser")
    token = page.select_one("[name=csrfmiddlewaretoken]")["value"]
    response = strict.post(path, {"answer": "approve", "csrfmiddlewaretoken": token})
    assert response.status_code == 200


def _other(current: str, replacement: str) -> str:
    """``replacement``, or another string of its length if that is what is there already."""
    return replacement if current != replacement else "1" * len(replacement)


def bad_tokens(enrolment, good: str) -> dict[str, str]:
    value, stamp, signature = good.rsplit(":", 2)
    pk, nonce = value.split(":", 1)
    other = EnrolmentFactory(status="pending_approval", sponsor_email="x@nhs.net")
    return {
        "made up": "x",
        "another enrolment's id": f"{other.pk}:{nonce}:{stamp}:{signature}",
        # Each change must really change the token: a fixed replacement is a no-op when the
        # original already ends with it (1 run in 62 for a base62 timestamp).
        "a changed signature": f"{value}:{stamp}:{signature[:-2]}{_other(signature[-2:], 'AA')}",
        "a changed timestamp": f"{value}:{stamp[:-1]}{_other(stamp[-1], '0')}:{signature}",
        "another salt (an invitation's)": signing.TimestampSigner(salt=INVITATION_SALT).sign(value),
        "no nonce": signing.TimestampSigner(salt=sponsors.SALT).sign(f"{pk}:"),
        "not a number": signing.TimestampSigner(salt=sponsors.SALT).sign(f"abc:{nonce}"),
        "a guessed nonce": signing.TimestampSigner(salt=sponsors.SALT).sign(f"{pk}:guess"),
    }


def test_a_tampered_or_made_up_link_is_refused_and_names_no_one(
    client, participant, sponsored, apply
):
    enrolment, path = apply(participant, sponsored)
    good = path.removeprefix("/sponsor/").rstrip("/")
    before = snapshot(enrolment)
    for what, token in bad_tokens(enrolment, good).items():
        for method in ("get", "post"):
            response = getattr(client, method)(f"/sponsor/{token}/", {"answer": "approve"})
            assert 400 <= response.status_code < 500, (what, method, response.status_code)
            if what != "a guessed nonce":  # signed by us for this enrolment: see below
                assert "This link is not valid" in text(response), what
                assert participant.last_name not in text(response), what
    assert snapshot(enrolment) == before
    assert client.get(path).status_code == 200  # the real one still works


def test_an_expired_link_says_whom_to_ask_and_changes_nothing(
    client, participant, sponsored, apply, monkeypatch, settings
):
    enrolment, path = apply(participant, sponsored)
    shift_clock(monkeypatch, (settings.SPONSOR_LINK_VALID_DAYS - 1) * DAY)
    assert client.get(path).status_code == 200  # still valid the day before
    shift_clock(monkeypatch, 2 * DAY)
    before = snapshot(enrolment)
    response = client.get(path)
    assert response.status_code == 410
    assert (
        f"This link has expired Links to approve a place work for "
        f"{settings.SPONSOR_LINK_VALID_DAYS} days. Ask {participant.get_full_name()} to send "
        "a new request" in text(response)
    )
    assert client.post(path, {"answer": "approve"}).status_code == 410
    assert snapshot(enrolment) == before
    with pytest.raises(services.SponsorLinkRefused):
        services.sponsor_approve(token=path.removeprefix("/sponsor/").rstrip("/"))


def test_how_long_a_link_works_is_a_setting(client, participant, sponsored, apply, monkeypatch):
    _, path = apply(participant, sponsored)
    shift_clock(monkeypatch, 2 * DAY)
    assert client.get(path).status_code == 200
    from django.test import override_settings

    with override_settings(SPONSOR_LINK_VALID_DAYS=1):
        assert client.get(path).status_code == 410


def test_a_withdrawn_application_has_nothing_to_approve(client, participant, sponsored, apply):
    enrolment, path = apply(participant, sponsored)
    services.enrolment_withdraw(enrolment=enrolment, by=participant, reason="")
    response = client.get(path)
    assert response.status_code == 410
    assert "This application was withdrawn" in text(response)


def test_two_answers_on_one_link_the_second_is_refused(participant, sponsored, apply):
    enrolment, path = apply(participant, sponsored)
    token = path.removeprefix("/sponsor/").rstrip("/")
    services.sponsor_approve(token=token)
    with pytest.raises(services.SponsorLinkRefused) as refused:
        services.sponsor_decline(token=token, reason="Changed my mind.")
    assert refused.value.state.refusal == sponsors.Refusal.ANSWERED
    enrolment.refresh_from_db()
    assert enrolment.status == S.ENROLLED
    assert enrolment.events.count() == 2  # applied, approved


def test_an_erased_persons_link_no_longer_works(client, participant, sponsored, apply, superuser):
    enrolment, path = apply(participant, sponsored)
    person_erase(person=participant, by=superuser, reason="Asked to be forgotten.")
    response = client.get(path)
    assert response.status_code == 400
    assert "Erased" not in text(response)
    enrolment.refresh_from_db()
    assert enrolment.status == S.WITHDRAWN and enrolment.sponsor_nonce == ""


# --- sending the request again ------------------------------------------------------------------


def test_sending_again_replaces_the_link_and_the_old_one_stops_working(
    client, participant, sponsored, apply, django_capture_on_commit_callbacks
):
    enrolment, old_path = apply(participant, sponsored)
    # Within the hour: refused, so a sponsor's inbox cannot be flooded.
    with pytest.raises(services.EnrolmentError, match="less than an hour ago"):
        services.sponsor_request_resend(enrolment=enrolment, by=participant)

    Enrolment.objects.filter(pk=enrolment.pk).update(
        sponsor_requested_at=enrolment.created_at - services.sponsors.RESEND_INTERVAL
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.sponsor_request_resend(enrolment=enrolment, by=participant)
    [message] = mail.outbox
    new_path = link_path(message)
    assert new_path != old_path
    response = client.get(old_path)
    assert response.status_code == 410 and "A newer link has been sent" in text(response)
    assert client.get(new_path).status_code == 200


def test_the_resend_page_can_change_the_sponsor_and_keeps_it_on_the_profile(
    client, participant, sponsored, apply, django_capture_on_commit_callbacks
):
    enrolment, old_path = apply(participant, sponsored)
    client.force_login(participant)
    url = f"/learn/enrolments/{enrolment.pk}/sponsor/"
    assert "Ask your sponsor again" in text(client.get("/learn/"))
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="ada.oconnor@nhs.net"' in page.content.decode()
    mail.outbox.clear()
    new = {"sponsor_name": "Dr Grace Hopper", "sponsor_email": "grace.hopper@nhs.net"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, new)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["grace.hopper@nhs.net"]
    participant.refresh_from_db()
    assert (participant.sponsor_name, participant.sponsor_email) == tuple(new.values())
    assert Client().get(old_path).status_code == 410  # the first sponsor's link is dead
    response = client.post(url, new | {"sponsor_email": participant.email})
    assert response.status_code == 400 and "cannot be your own" in text(response)


def test_nobody_else_can_send_it_again(client, participant, sponsored, apply, trust_a):
    enrolment, _ = apply(participant, sponsored)
    client.force_login(ClinicianFactory(trust=trust_a))
    url = f"/learn/enrolments/{enrolment.pk}/sponsor/"
    assert client.get(url).status_code == 404
    assert client.post(url, SPONSOR).status_code == 404
    with pytest.raises(services.NotAllowed):
        services.sponsor_request_resend(enrolment=enrolment, by=UserFactory(trust=trust_a))


def test_an_answered_application_cannot_be_sent_again(client, participant, sponsored, apply):
    enrolment, path = apply(participant, sponsored)
    client.post(path, {"answer": "approve"})
    client.force_login(participant)
    response = client.post(f"/learn/enrolments/{enrolment.pk}/sponsor/", SPONSOR)
    assert response.status_code == 400
    assert "no longer waiting" in text(response)


# --- the sponsor on the profile and the enrolment form ------------------------------------------


@pytest.mark.parametrize(
    ("sponsor", "message"),
    [
        ({}, "needs your sponsor's approval"),
        ({"sponsor_name": "Dr Ada O'Connor"}, "needs your sponsor's approval"),
        ({"sponsor_email": "ada@nhs.net"}, "Enter your sponsor's full name."),
        (
            {"sponsor_name": "Me", "sponsor_email": "Participant@Northshire.NHS.uk"},
            "cannot be your own",
        ),
    ],
)
def test_applying_without_a_sponsor_or_as_ones_own_is_refused_and_writes_nothing(
    participant, sponsored, sponsor, message
):
    with pytest.raises(services.ProfileIncomplete, match=message):
        services.enrolment_create(person=participant, cohort=sponsored, by=participant, **sponsor)
    assert not Enrolment.objects.exists()
    assert not EnrolmentEvent.objects.exists()
    assert not OutboxMessage.objects.exists()
    participant.refresh_from_db()
    assert participant.sponsor_email == ""


def test_the_enrolment_form_offers_the_profiles_sponsor_and_keeps_a_new_one(
    client, participant, sponsored
):
    participant.sponsor_name, participant.sponsor_email = "Dr Old Sponsor", "old@nhs.net"
    participant.save()
    client.force_login(participant)
    page = client.get(f"/learn/enrol/{sponsored.pk}/").content.decode()
    assert 'value="Dr Old Sponsor"' in page and 'value="old@nhs.net"' in page
    from tests.programmes.test_enrolment_pages import ANSWERS

    response = client.post(
        f"/learn/enrol/{sponsored.pk}/",
        ANSWERS | {"sponsor_name": "Dr New Sponsor", "sponsor_email": "New@NHS.net"},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.sponsor_name, participant.sponsor_email) == (
        "Dr New Sponsor",
        "new@nhs.net",
    )


def test_an_administrators_enrolment_does_not_change_the_profile(
    participant, sponsored, administrator
):
    services.enrolment_create(person=participant, cohort=sponsored, by=administrator, **SPONSOR)
    participant.refresh_from_db()
    assert participant.sponsor_email == ""


def test_the_profile_page_edits_the_sponsor_but_not_as_oneself(client, participant):
    client.force_login(participant)
    page = client.get("/accounts/profile/").content.decode()
    assert 'name="sponsor_name"' in page and 'name="sponsor_email"' in page
    fields = {
        name: getattr(participant, name) or ""
        for name in (
            "first_name",
            "last_name",
            "professional_group",
            "job_title",
            "band",
            "directorate",
            "registration_body",
            "registration_number",
        )
    }
    response = client.post(
        "/accounts/profile/", fields | {"sponsor_name": "Me", "sponsor_email": participant.email}
    )
    assert response.status_code == 400 and "cannot be your own" in text(response)
    response = client.post("/accounts/profile/", fields | {"sponsor_email": "ada@nhs.net"})
    assert response.status_code == 400 and "Enter your sponsor's full name." in text(response)
    response = client.post("/accounts/profile/", fields | SPONSOR)
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.sponsor_name, participant.sponsor_email) == tuple(SPONSOR.values())


def test_staff_profiles_have_no_sponsor(client, administrator):
    client.force_login(administrator)
    from tests.factories import give_totp

    give_totp(administrator)
    assert 'name="sponsor_email"' not in client.get("/accounts/profile/").content.decode()


def test_the_sponsor_is_in_the_data_copy_and_erased(participant, superuser):
    from privacy.people_data import export_profile

    participant.sponsor_name, participant.sponsor_email = SPONSOR.values()
    participant.save()
    [row] = export_profile(participant)
    assert (row["sponsor_name"], row["sponsor_email"]) == tuple(SPONSOR.values())
    person_erase(person=participant, by=superuser, reason="Asked to be forgotten.")
    participant.refresh_from_db()
    assert participant.sponsor_name == participant.sponsor_email == ""


def test_the_demo_prints_a_working_link_for_each_pending_application(
    client, participant, sponsored, apply, trust_a
):
    from io import StringIO

    from django.core.management import call_command

    _, emailed = apply(participant, sponsored)
    never_sent = services.enrolment_create(
        person=ClinicianFactory(trust=trust_a), cohort=sponsored, by=None, **SPONSOR
    )
    assert never_sent.sponsor_nonce == ""  # its email task has not run
    out = StringIO()
    call_command("demo_sponsor_links", force=True, stdout=out)
    paths = re.findall(r"https?://[^/\s]+(/sponsor/\S+/)", out.getvalue())
    assert len(paths) == 2
    for path in paths:
        assert client.get(path).status_code == 200
    assert client.get(emailed).status_code == 200  # the emailed link still works
