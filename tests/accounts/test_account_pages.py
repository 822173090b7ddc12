"""allauth's pages in Tandem's frame and words: British English, sentence case, labels without
colons or placeholders, and the site's error summary and field errors (the browser tests run
axe over them, at desktop and phone widths)."""

import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from bs4 import BeautifulSoup
from django.core import mail

from people.access import AccessRole
from tests.factories import DEFAULT_PASSWORD, TrustEmailDomainFactory, UserFactory, give_totp

pytestmark = pytest.mark.django_db

# allauth's defaults that must not show: Title Case, American spelling, its own frame.
NOT_TANDEM = [
    "Sign In",
    "Sign Up",
    "Sign Out",
    "Password Reset",
    "Reset My Password",
    "Change Password",
    "Verify Your Email",
    "Email Address",
    "Two-Factor Authentication",
    "Authenticator App",
    "Recovery Codes",
    "Confirm Access",
    "finaliz",
    "Menu:",
    "Messages:",
    "errorlist",
]


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def assert_tandem_page(response, heading):
    html = response.content.decode()
    soup = soup_of(response)
    assert soup.find("header", class_="site-header"), "not in Tandem's frame"
    assert soup.h1.get_text(" ", strip=True) == heading
    assert soup.title.get_text(strip=True) == f"{heading} \N{EN DASH} Tandem"
    for phrase in NOT_TANDEM:
        assert phrase not in html, phrase
    assert not soup.find(attrs={"placeholder": True}), "labels, not placeholders"
    for label in soup.find("main").find_all("label"):
        assert not label.get_text(strip=True).endswith(":"), label
    for button in soup.find("main").find_all(["button", "a"], class_="button"):
        text = button.get_text(" ", strip=True)
        words = text.split()
        # Sentence case: only the first word capitalised (names like Tandem aside).
        assert all(not w[0].isupper() or w in {"Tandem"} for w in words[1:]), text
    return soup


@pytest.mark.parametrize(
    "path, heading",
    [
        ("/accounts/login/", "Sign in"),
        ("/accounts/signup/", "Create an account"),
        ("/accounts/password/reset/", "Reset your password"),
        ("/accounts/password/reset/done/", "Check your email"),
        ("/accounts/password/reset/key/1-not-a-key/", "This link does not work"),
        ("/accounts/confirm-email/not-a-key/", "This link does not work"),
    ],
)
def test_entrance_pages_read_like_tandem(client, path, heading):
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert_tandem_page(response, heading)


def test_sign_up_errors_use_the_error_summary_and_field_errors(client):
    response = client.post(
        "/accounts/signup/",
        {"password1": "A-long-enough-pass-2026", "password2": "A-different-pass-2026"},
    )
    soup = assert_tandem_page(response, "Create an account")
    summary = soup.find(class_="error-summary")
    assert summary["role"] == "alert"
    assert summary.h2.get_text(strip=True) == "There is a problem"
    links = {a["href"]: a.get_text(strip=True) for a in summary.find_all("a")}
    assert links["#id_first_name"] == "First name: Enter your first name"
    assert links["#id_email"] == "Email address: Enter your work email address"
    for name in ("first_name", "email", "password2"):
        field = soup.find(id=f"id_{name}")
        error = soup.find(id=f"id_{name}_error")
        assert error is not None and "field-error" in error["class"], name
        assert f"id_{name}_error" in field["aria-describedby"], name
        assert field["aria-invalid"] == "true"
    assert "The two passwords are not the same." in soup.find(id="id_password2_error").text
    # The password hint is one plain sentence, not a list of rules.
    hint = soup.find(id="id_password1_helptext")
    assert hint.name == "p" and "At least 10 characters" in hint.text
    assert "id_password1_helptext" in soup.find(id="id_password1")["aria-describedby"]


def test_a_wrong_password_is_one_clear_error(client, participant):
    response = client.post(
        "/accounts/login/", {"login": participant.email, "password": "not-my-password"}
    )
    soup = assert_tandem_page(response, "Sign in")
    summary = soup.find(class_="error-summary")
    assert (
        summary.find("li").get_text(strip=True) == "The email address or password is not correct."
    )
    assert soup.find("a", href="/accounts/password/reset/").get_text() == "Forgotten your password?"


def test_the_sign_up_journey_pages(client, trust_a):
    TrustEmailDomainFactory(trust=trust_a, domain="northshire.nhs.uk")
    data = {
        "first_name": "Ada",
        "last_name": "Okafor",
        "email": "ada@northshire.nhs.uk",
        "password1": "A-long-enough-pass-2026",
        "password2": "A-long-enough-pass-2026",
    }
    response = client.post("/accounts/signup/", data, follow=True)
    assert_tandem_page(response, "Check your email")
    link = re.search(r"/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    soup = assert_tandem_page(client.get(link), "Confirm your email address")
    assert soup.find("button").get_text(strip=True) == "Confirm email address"


def test_the_password_reset_journey_pages(client, participant):
    client.post("/accounts/password/reset/", {"email": participant.email})
    path = re.search(r"/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    response = client.get(path, follow=True)
    soup = assert_tandem_page(response, "Choose a new password")
    assert soup.find("label", attrs={"for": "id_password1"}).text.strip() == "New password"
    response = client.post(
        response.redirect_chain[-1][0],
        {"password1": "Another-long-pass-2026", "password2": "Another-long-pass-2026"},
        follow=True,
    )
    assert_tandem_page(response, "Your password is changed")


def reauthenticate(client, person):
    """allauth asks for the password again before two-factor settings change."""
    client.force_login(person)
    response = client.get("/accounts/2fa/totp/activate/", follow=True)
    assert_tandem_page(response, "Confirm it is you")
    client.post("/accounts/reauthenticate/", {"password": DEFAULT_PASSWORD})


def test_signed_in_account_pages(client, participant):
    reauthenticate(client, participant)
    assert_tandem_page(client.get("/accounts/password/change/"), "Change your password")
    assert_tandem_page(client.get("/accounts/logout/"), "Sign out")
    assert_tandem_page(client.get("/accounts/email/"), "Email addresses")
    assert_tandem_page(client.get("/accounts/2fa/"), "Two-factor authentication")
    soup = assert_tandem_page(
        client.get("/accounts/2fa/totp/activate/"), "Set up an authenticator app"
    )
    assert soup.find("img", class_="qr-code")["alt"]
    assert soup.find(id="authenticator_secret").get_text(strip=True)


def test_the_two_factor_sign_in_step(client, administrator):
    give_totp(administrator)
    client.post("/accounts/login/", {"login": administrator.email, "password": DEFAULT_PASSWORD})
    soup = assert_tandem_page(client.get("/accounts/2fa/authenticate/"), "Enter your code")
    assert soup.find("label", attrs={"for": "id_code"}).get_text(strip=True) == "Code"
    # Cancel is a plain link-style button, not a second green one.
    cancel = soup.find("button", string=re.compile("Cancel"))
    assert "link-button" in cancel["class"] and "button" not in cancel["class"]
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert "The code is not correct." in soup_of(response).find(class_="error-summary").text


def test_recovery_code_pages(client, trust_a):
    editor = UserFactory(trust=trust_a, roles=[AccessRole.EDITOR])
    give_totp(editor)
    RecoveryCodes.activate(editor)
    client.force_login(editor)
    client.post("/accounts/reauthenticate/", {"password": DEFAULT_PASSWORD})
    soup = assert_tandem_page(client.get("/accounts/2fa/recovery-codes/"), "Recovery codes")
    assert soup.find("label", attrs={"for": "recovery_codes"})
    assert_tandem_page(
        client.get("/accounts/2fa/recovery-codes/generate/"), "Create new recovery codes"
    )


def test_the_locked_out_page_and_the_admin_refusal_read_like_tandem(client, participant):
    client.force_login(participant)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert_tandem_page(response, "You cannot use the Tandem admin")
