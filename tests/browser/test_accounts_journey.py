"""A newcomer signs up with their trust's email domain, verifies the address from the email
Tandem sends, and completes their profile — in Chromium, against the live server."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from people.models import User
from tests.factories import TrustEmailDomainFactory, TrustFactory

pytestmark = pytest.mark.browser

PASSWORD = "Paired-learning-2026"


def test_sign_up_verify_and_complete_profile(page, live_url):
    trust = TrustFactory(name="Northshire Hospitals NHS Foundation Trust", ods_code="RNS")
    TrustEmailDomainFactory(trust=trust, domain="northshire.nhs.uk")

    page.goto(f"{live_url}/")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("First name").fill("Ngozi")
    page.get_by_label("Last name").fill("Adebayo")
    page.get_by_label("Email address").fill("ngozi.adebayo@northshire.nhs.uk")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = "/accounts/" + link.split("/accounts/", 1)[1]

    page.goto(f"{live_url}{path}")
    page.get_by_role("button", name="Confirm email address").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Complete your profile")
    page.get_by_label("Professional group").select_option(label="Medical")
    page.get_by_label("Job title").fill("Specialty registrar in geriatrics")
    page.get_by_label("Band or grade (optional)").fill("ST6")
    page.get_by_label("Professional register (optional)").select_option(value="GMC")
    page.get_by_label("Registration number (optional)").fill("123456")  # one digit short
    page.get_by_role("button", name="Save my profile").click()

    expect(page.get_by_role("alert")).to_contain_text("a GMC number is 7 digits")
    page.get_by_label("Registration number (optional)").fill("1234567")
    page.get_by_role("button", name="Save my profile").click()

    person = User.objects.get(email="ngozi.adebayo@northshire.nhs.uk")
    assert person.trust == trust
    assert person.profile_is_complete
    assert person.registration_number == "1234567"
