"""Where people land after signing in, the profile step (only what is missing, and no way round
it), the header's admin link, and the one 403 page for /admin/ without admin access."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from bs4 import BeautifulSoup
from django.utils.http import urlencode

from people.access import STAFF_ROLES, TRUST_SCOPED_ROLES, AccessRole, has_staff_access
from people.models import PROFILE_FIELDS, ProfessionalGroup
from tests.factories import (
    DEFAULT_PASSWORD,
    TEST_TOTP_SECRET,
    ClinicianFactory,
    UserFactory,
    give_totp,
)

pytestmark = pytest.mark.django_db


def sign_in(client, person, next_url=None):
    """Through allauth's form, and the code step for those with an authenticator app
    (tests.factories.give_totp's secret); the response to the last step, a redirect to where
    the person lands."""
    url = "/accounts/login/" + (f"?{urlencode({'next': next_url})}" if next_url else "")
    response = client.post(url, {"login": person.email, "password": DEFAULT_PASSWORD})
    if response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/":
        code = format_hotp_value(hotp_value(TEST_TOTP_SECRET, int(time.time()) // 30))
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def staff(role, trust=None, **fields):
    """A staff person as the demo has them: no professional group or job title, and (unless
    their role is a trust's) no trust; with an authenticator app."""
    bare = {"professional_group": "", "job_title": "", "band": "", "directorate": ""}
    person = UserFactory(roles=[role], trust=trust, **{**bare, **fields})
    give_totp(person)
    return person


def profile_step(path: str) -> str:
    return f"/accounts/profile/?{urlencode({'next': path})}"


def asked_fields(html: str) -> list[str]:
    form = BeautifulSoup(html, "html.parser").find("form", class_="form")
    names = [tag["name"] for tag in form.find_all(["input", "select", "textarea"])]
    return [name for name in names if name in PROFILE_FIELDS]


# --- landing ---------------------------------------------------------------------------------


def test_a_participant_lands_on_my_learning(client, participant):
    assert sign_in(client, participant)["Location"] == "/learn/"


def test_a_facilitator_lands_on_my_learning(client, trust_a):
    facilitator = ClinicianFactory(trust=trust_a, roles=[AccessRole.FACILITATOR])
    assert sign_in(client, facilitator)["Location"] == "/learn/"


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_land_in_the_admin_with_nothing_more_to_fill_in(client, trust_a, role):
    """Editors, reviewers, leads: no trust, professional group or job title needed; straight
    to the admin, which then serves them."""
    person = staff(role, trust=trust_a if role in TRUST_SCOPED_ROLES else None)
    assert person.profile_is_complete
    assert sign_in(client, person)["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_superuser_lands_in_the_admin(client, superuser):
    superuser.professional_group = ""
    superuser.job_title = ""
    superuser.save()
    give_totp(superuser)
    assert sign_in(client, superuser)["Location"] == "/admin/"


def test_a_next_address_still_wins_over_the_landing_page(client):
    editor = staff(AccessRole.EDITOR)
    assert sign_in(client, editor, next_url="/learn/")["Location"] == "/learn/"


def test_staff_who_also_take_part_land_in_the_admin_but_give_their_profile_first(client, trust_a):
    both = staff(AccessRole.PROGRAMME_ADMINISTRATOR, trust=trust_a)
    from people.services import access_grant_create

    access_grant_create(person=both, role=AccessRole.PARTICIPANT, by=None)
    both.forget_grants()
    assert sign_in(client, both)["Location"] == "/accounts/profile/"
    html = client.get("/accounts/profile/").content.decode()
    assert "professional_group" in asked_fields(html)


# --- the profile step ------------------------------------------------------------------------


def test_the_profile_step_asks_only_what_is_missing(client, trust_a):
    person = ClinicianFactory(trust=trust_a, roles=[AccessRole.PARTICIPANT], job_title="")
    response = sign_in(client, person)
    assert response["Location"] == "/accounts/profile/"
    response = client.get("/accounts/profile/")
    assert "Complete your profile" in response.content.decode()
    assert asked_fields(response.content.decode()) == ["job_title"]

    response = client.post("/accounts/profile/", {"job_title": "Consultant surgeon"})
    assert response.status_code == 302
    assert response["Location"] == "/learn/"
    person.refresh_from_db()
    assert person.job_title == "Consultant surgeon"
    assert person.registration_number  # untouched fields keep their values
    assert person.profile_is_complete


def test_a_new_person_is_asked_everything_they_have_not_given(client, trust_a):
    person = UserFactory(
        trust=trust_a,
        professional_group="",
        job_title="",
        band="",
        directorate="",
    )
    client.force_login(person)
    html = client.get("/accounts/profile/").content.decode()
    # Their names came with sign-up, so they are not asked again.
    assert asked_fields(html) == [
        "professional_group",
        "job_title",
        "band",
        "directorate",
        "registration_body",
        "registration_number",
    ]


def test_a_clinician_without_a_registration_number_is_asked_for_it(client, trust_a):
    person = ClinicianFactory(
        trust=trust_a, roles=[AccessRole.PARTICIPANT], registration_body="", registration_number=""
    )
    client.force_login(person)
    html = client.get("/accounts/profile/").content.decode()
    assert asked_fields(html) == ["registration_body", "registration_number"]
    response = client.post("/accounts/profile/", {"registration_body": "GMC"})
    assert response.status_code == 400
    assert "Clinicians give their registration number" in response.content.decode()
    response = client.post(
        "/accounts/profile/", {"registration_body": "GMC", "registration_number": "7123456"}
    )
    assert response.status_code == 302


def test_staff_are_asked_only_for_their_name(client):
    editor = staff(AccessRole.EDITOR, first_name="", last_name="")
    assert sign_in(client, editor)["Location"] == "/accounts/profile/"
    response = client.get("/accounts/profile/")
    assert asked_fields(response.content.decode()) == ["first_name", "last_name"]
    response = client.post("/accounts/profile/", {"first_name": "Eleanor", "last_name": "Hughes"})
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize(
    "path",
    [
        "/learn/",
        "/",
        "/search/?q=budget",
        "/admin/",  # a staff page too: the admin waits for the name
    ],
)
def test_an_incomplete_profile_cannot_be_skipped_by_typing_an_address(client, trust_a, path):
    participant = ClinicianFactory(trust=trust_a, roles=[AccessRole.PARTICIPANT], job_title="")
    client.force_login(participant)
    response = client.get(path)
    if path == "/admin/":
        assert response.status_code == 403  # not theirs at all: refused, not sent round
        return
    assert response.status_code == 302
    assert response["Location"] == profile_step(path)


def test_an_incomplete_staff_profile_waits_before_the_admin(client):
    editor = staff(AccessRole.EDITOR, last_name="")
    client.force_login(editor)
    response = client.get("/admin/pages/")
    assert response["Location"] == profile_step("/admin/pages/")


def test_after_the_profile_step_the_person_goes_on_to_the_address_they_typed(client, trust_a):
    participant = ClinicianFactory(trust=trust_a, roles=[AccessRole.PARTICIPANT], job_title="")
    client.force_login(participant)
    location = client.get("/learn/")["Location"]
    html = client.get(location).content.decode()
    assert 'name="next" value="/learn/"' in html
    response = client.post(location, {"job_title": "Registrar", "next": "/learn/"})
    assert response["Location"] == "/learn/"
    assert client.get("/learn/").status_code == 200


def test_a_form_posted_with_an_incomplete_profile_is_not_saved_and_leads_to_the_profile(
    client, trust_a
):
    participant = ClinicianFactory(trust=trust_a, roles=[AccessRole.PARTICIPANT], job_title="")
    client.force_login(participant)
    response = client.post("/learn/modules/1/progress/", {"completed": "yes"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"  # no `next`: that address wants a POST


@pytest.mark.parametrize(
    "path", ["/accounts/profile/", "/accounts/password/change/", "/account/my-data/"]
)
def test_account_pages_stay_reachable_during_the_profile_step(client, trust_a, path):
    participant = ClinicianFactory(trust=trust_a, roles=[AccessRole.PARTICIPANT], job_title="")
    client.force_login(participant)
    assert client.get(path).status_code == 200


def test_signing_out_works_during_the_profile_step(client, trust_a):
    participant = ClinicianFactory(trust=trust_a, roles=[AccessRole.PARTICIPANT], job_title="")
    client.force_login(participant)
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_a_complete_profile_shows_the_whole_profile_to_edit(client, participant):
    client.force_login(participant)
    html = client.get("/accounts/profile/").content.decode()
    assert "Your profile" in html and "Complete your profile" not in html
    assert asked_fields(html) == PROFILE_FIELDS


def test_the_profile_rule_per_role(trust_a, superuser):
    """What each kind of person must give (people.User.missing_profile_fields)."""
    bare = {"professional_group": "", "job_title": "", "band": "", "directorate": ""}
    participant = UserFactory(trust=trust_a, roles=[AccessRole.PARTICIPANT], **bare)
    assert participant.missing_profile_fields == ["professional_group", "job_title"]
    clinician = UserFactory(
        trust=trust_a, roles=[AccessRole.PARTICIPANT], professional_group=ProfessionalGroup.PHARMACY
    )
    assert clinician.missing_profile_fields == ["registration_number"]
    unnamed_editor = UserFactory(trust=None, roles=[AccessRole.EDITOR], first_name="", **bare)
    assert unnamed_editor.missing_profile_fields == ["first_name"]
    superuser.professional_group = ""
    assert superuser.trust is None and superuser.profile_is_complete
    # Someone who has just signed up holds no role yet: they take part.
    assert UserFactory(trust=trust_a, **bare).missing_profile_fields == [
        "professional_group",
        "job_title",
    ]


# --- the header's admin link ------------------------------------------------------------------


def admin_link(html: str):
    header = BeautifulSoup(html, "html.parser").find("header")
    return header.find("a", href="/admin/")


@pytest.mark.parametrize(
    "role", [AccessRole.PARTICIPANT, AccessRole.FACILITATOR, *sorted(STAFF_ROLES), None]
)
def test_the_header_links_to_the_admin_exactly_for_those_who_may_use_it(client, trust_a, role):
    person = UserFactory(trust=trust_a, roles=[role] if role else [])
    client.force_login(person)
    link = admin_link(client.get("/accounts/profile/").content.decode())
    assert (link is not None) == has_staff_access(person)
    assert (link is not None) == (role in STAFF_ROLES)
    if link is not None:
        assert link.get_text(strip=True) == "Admin"


def test_the_superuser_sees_the_admin_link_and_visitors_do_not(client, superuser):
    assert admin_link(client.get("/accounts/login/").content.decode()) is None
    client.force_login(superuser)
    assert admin_link(client.get("/accounts/profile/").content.decode()) is not None


# --- /admin/ without admin access ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/admin/login/", "/admin/people/"])
def test_admin_without_access_is_one_403_page_with_one_message_and_ways_on(
    client, participant, path
):
    client.force_login(participant)
    response = client.get(path)  # no redirect to follow: one response
    assert response.status_code == 403
    html = response.content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h1.get_text(strip=True) == "You cannot use the Tandem admin"
    assert len(soup.find_all("h1")) == 1
    assert "You do not have permission" not in html  # Wagtail's message, once per turn before
    assert soup.find(class_="messages") is None
    main = soup.find("main")
    assert main.find("a", href="/learn/")
    assert main.find("a", href="/accounts/profile/")
    assert main.find("form", action="/accounts/logout/").find("button")
    # Nothing queued for the next page either.
    assert (
        BeautifulSoup(client.get("/learn/").content, "html.parser").find(class_="messages") is None
    )


def test_a_facilitator_is_refused_the_admin_the_same_way(client, trust_a):
    facilitator = ClinicianFactory(trust=trust_a, roles=[AccessRole.FACILITATOR])
    client.force_login(facilitator)
    assert client.get("/admin/").status_code == 403


def test_a_participant_signing_in_for_the_admin_ends_on_the_403_page(client, participant):
    """The loop's first half: sign-in with next=/admin/ sends them to /admin/, which now
    answers once."""
    response = sign_in(client, participant, next_url="/admin/")
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 403
    # And a signed-in participant sent to the sign-in page is not bounced round either.
    response = client.get("/accounts/login/?next=/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1


def test_anonymous_visitors_are_still_sent_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
