"""Every email Tandem sends, triggered through its real path (the page or task a person
uses), with both parts checked: a plain-text part as typed (no HTML escapes) and an HTML
part, both branded as Tandem, every link in either starting with settings.BASE_URL — set here
to an unusual host and port, while requests come in on another host name.

Each test declares the emails it covers (`@sends(...)`) and must render exactly those
templates from Tandem's own templates/ folder. The last tests list every email template on
disk — Tandem's, allauth's and Wagtail's — against what is covered here or declared not sent
(with the setting that keeps it unsent checked), so a new email cannot go out untested.
"""

import html as html_lib
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageSubscription

from accounts.models import Invitation
from people.access import AccessRole
from tests.cms import conftest as cms
from tests.cms.test_workflow import edit
from tests.factories import (
    DEFAULT_PASSWORD,
    TrustEmailDomainFactory,
    UserFactory,
    give_totp,
)

pytestmark = pytest.mark.django_db

PUBLIC = "https://learn.tandem-email.test:8443"  # what BASE_URL says: not the request's host
REQUEST_HOST = "internal.example"
NAME = "D'Arcy & Zoë"
NEW_PASSWORD = "A-long-enough-pass-2026"
TEMPLATES = Path(settings.BASE_DIR) / "templates"
CLIENT_IP = "192.0.2.44"
ESCAPES = re.compile(r"&(?:#x?[0-9a-fA-F]+|amp|lt|gt|quot|apos);")

HTML_TAGS = re.compile(r"</?(?:a|p|br|div|span|table|tr|td|th|strong|em|h\d|ul|ol|li|html|body)\b")

# The CMS tests' page tree and editorial personas, for the workflow emails.
home, programme, modules = cms.home, cms.programme, cms.modules
editor, reviewer = cms.editor, cms.reviewer

COVERED: dict[str, str] = {}  # email template prefix -> the test that sends it


def sends(*prefixes):
    def declare(test):
        for prefix in prefixes:
            assert prefix not in COVERED, prefix
            COVERED[prefix] = test.__name__
        test.email_prefixes = prefixes
        return test

    return declare


@pytest.fixture(autouse=True)
def public_address(settings):
    # WAGTAILADMIN_BASE_URL follows BASE_URL when settings load (tests/test_base_url_setting.py);
    # overriding one setting here does not re-run that, so both are set.
    settings.BASE_URL = settings.WAGTAILADMIN_BASE_URL = PUBLIC
    settings.ALLOWED_HOSTS = [REQUEST_HOST, "testserver"]
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def rendered_from_tandem_templates(request):
    """Collect the templates rendered during the test; afterwards, every email it declares
    must have rendered its subject, text and HTML templates from Tandem's templates/."""
    rendered = {}

    def collect(sender, template, context, **kwargs):
        rendered.setdefault(template.name, template.origin.name)

    template_rendered.connect(collect)
    yield rendered
    template_rendered.disconnect(collect)
    for prefix in getattr(request.function, "email_prefixes", ()):
        is_wagtail = prefix.startswith("wagtailadmin/")
        names = (
            [f"{prefix}_subject.txt", f"{prefix}.txt", f"{prefix}.html"]
            if is_wagtail
            else [f"{prefix}_subject.txt", f"{prefix}_message.txt", f"{prefix}_message.html"]
        )
        for name in names:
            assert name in rendered, f"{name} was not rendered"
        layouts = ["email/base.txt", "email/base.html"]
        if is_wagtail:
            layouts += [f"wagtailadmin/notifications/base.{ext}" for ext in ("txt", "html")]
        else:
            # Wagtail's notification templates are Wagtail's but for their layout; every
            # other email's templates are Tandem's own.
            layouts += names
        for name in layouts:
            assert name in rendered, f"{name} was not rendered"
            assert Path(rendered[name]).is_relative_to(TEMPLATES), (name, rendered[name])


# --- what every email must be -----------------------------------------------------------------


def text_links(message) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", message.body)


def html_part(message) -> str:
    assert isinstance(message, EmailMultiAlternatives), type(message)
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def html_links(content: str) -> list[str]:
    return [html_lib.unescape(href) for href in re.findall(r'href="([^"]+)"', content)]


def assert_tandem_email(message, *, mentions=()):
    """Branded, two parts, links on BASE_URL only, text as typed; `mentions` appear in both."""
    text, content = message.body, html_part(message)
    assert message.subject and "\n" not in message.subject
    assert not message.subject.startswith("["), message.subject  # no "[127.0.0.1:8200] "
    assert REQUEST_HOST not in message.subject and "127.0.0.1" not in message.subject
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    # Plain text is plain: no HTML escapes, no tags.
    assert not ESCAPES.search(text), text
    assert not HTML_TAGS.search(text), text
    # Branded: Tandem's signature in the text, its header in the HTML.
    assert "Tandem: clinicians and managers, learning to lead together" in text, text
    assert f'<a href="{PUBLIC}/"' in content and ">Tandem</a>" in content
    assert '<html lang="en-GB">' in content
    # Every link, in either part, on the public address; the same links in both.
    links = text_links(message)
    assert links, text
    for link in links + html_links(content):
        assert link.startswith(PUBLIC + "/"), link
    assert set(links) == set(html_links(content))
    for leak in (REQUEST_HOST, "localhost", "127.0.0.1", "testserver"):
        assert leak not in text and leak not in content, leak
    for words in mentions:
        assert words in text, (words, text)
        assert html_lib.escape(words) in content, (words, content)
    return links


def only_email(to: str):
    messages = [m for m in mail.outbox if to in m.to]
    assert len(messages) == 1, [(m.to, m.subject) for m in mail.outbox]
    return messages[0]


def on(client, method, path, data=None, **extra):
    extra = {"HTTP_HOST": REQUEST_HOST, "REMOTE_ADDR": CLIENT_IP, **extra}
    return getattr(client, method)(path, data or {}, **extra)


# --- invitations --------------------------------------------------------------------------------


@sends("accounts/email/invitation")
def test_an_invitation(client, administrator, django_capture_on_commit_callbacks):
    TrustEmailDomainFactory(trust=administrator.trust, domain="northshire.nhs.uk")
    give_totp(administrator)
    client.force_login(administrator)
    session = client.session
    session["_tandem_last_seen"] = int(timezone.now().timestamp())
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = on(
            client,
            "post",
            "/admin/invitations/",
            {
                "email": "darcy@northshire.nhs.uk",
                "first_name": NAME,
                "last_name": "O'Neill",
                "trust": administrator.trust_id,
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    message = only_email("darcy@northshire.nhs.uk")
    assert message.subject == f"{administrator.trust.name} invites you to join Tandem"
    assert message.body.startswith(f"Hello {NAME},")
    links = assert_tandem_email(message, mentions=[NAME, administrator.trust.name])
    invitation = Invitation.objects.get()
    assert any(link.startswith(f"{PUBLIC}/accounts/invitation/") for link in links)
    assert invitation.sent_at is not None


# --- allauth: signing up and signing in ---------------------------------------------------------


def sign_up(client, email):
    return on(
        client,
        "post",
        "/accounts/signup/",
        {
            "first_name": NAME,
            "last_name": "O'Neill",
            "email": email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "trust": "",
        },
    )


@sends("account/email/email_confirmation_signup")
def test_the_sign_up_confirmation(client, trust_a):
    TrustEmailDomainFactory(trust=trust_a, domain="northshire.nhs.uk")
    assert sign_up(client, "darcy@northshire.nhs.uk").status_code == 302
    message = only_email("darcy@northshire.nhs.uk")
    assert message.subject == "Confirm your email address for Tandem"
    links = assert_tandem_email(message, mentions=[f"Hello {NAME},", f"{NAME} O'Neill"])
    assert any(link.startswith(f"{PUBLIC}/accounts/confirm-email/") for link in links)


@sends("account/email/account_already_exists")
def test_signing_up_again_with_an_address_that_has_an_account(client, trust_a):
    TrustEmailDomainFactory(trust=trust_a, domain="northshire.nhs.uk")
    UserFactory(email="darcy@northshire.nhs.uk", first_name=NAME, trust=trust_a)
    sign_up(client, "darcy@northshire.nhs.uk")
    message = only_email("darcy@northshire.nhs.uk")
    links = assert_tandem_email(message, mentions=["darcy@northshire.nhs.uk"])
    assert f"{PUBLIC}/accounts/password/reset/" in links


@sends("account/email/password_reset_key", "account/email/password_reset")
def test_a_password_reset_and_the_notice_that_follows(client, trust_a):
    person = UserFactory(email="darcy@northshire.nhs.uk", first_name=NAME, trust=trust_a)
    response = on(client, "post", "/accounts/password/reset/", {"email": person.email})
    assert response.status_code == 302
    message = only_email(person.email)
    assert message.subject == "Reset your Tandem password"
    links = assert_tandem_email(message, mentions=[f"Hello {NAME},"])
    [reset] = [link for link in links if "/accounts/password/reset/key/" in link]

    mail.outbox.clear()
    path = reset.removeprefix(PUBLIC)
    response = on(client, "get", path)  # allauth moves the key into the session
    response = on(
        client,
        "post",
        response["Location"],
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_USER_AGENT="Firefox & friends",
    )
    assert response.status_code == 302
    notice = only_email(person.email)
    assert notice.subject == "Your Tandem password was reset"
    links = assert_tandem_email(
        notice, mentions=["The password of your Tandem account was reset.", "Firefox & friends"]
    )
    assert f"{PUBLIC}/accounts/password/reset/" in links


@sends("account/email/unknown_account")
def test_a_password_reset_for_an_address_with_no_account(client):
    on(client, "post", "/accounts/password/reset/", {"email": "nobody@northshire.nhs.uk"})
    message = only_email("nobody@northshire.nhs.uk")
    links = assert_tandem_email(message, mentions=["nobody@northshire.nhs.uk"])
    assert f"{PUBLIC}/accounts/signup/" in links


# --- allauth: changes to one's own account (each tells the person by email) --------------------


@pytest.fixture
def signed_in(client, trust_a):
    """A participant signed in through the sign-in page, as they would be, then
    reauthenticated (allauth asks for the password again before sensitive changes)."""
    person = UserFactory(
        email="darcy@northshire.nhs.uk",
        first_name=NAME,
        last_name="O'Neill",
        trust=trust_a,
        roles=[AccessRole.PARTICIPANT],
    )
    response = on(
        client, "post", "/accounts/login/", {"login": person.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    response = on(client, "post", "/accounts/reauthenticate/", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    mail.outbox.clear()
    return person


def assert_security_notice(message, sentence):
    links = assert_tandem_email(message, mentions=[f"Hello {NAME},", sentence])
    assert f"{PUBLIC}/accounts/password/reset/" in links
    assert f"IP address {CLIENT_IP}" in message.body


@sends("account/email/password_changed")
def test_changing_ones_password(client, signed_in):
    response = on(
        client,
        "post",
        "/accounts/password/change/",
        {"oldpassword": DEFAULT_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    message = only_email(signed_in.email)
    assert message.subject == "Your Tandem password was changed"
    assert_security_notice(message, "The password of your Tandem account was changed.")


@sends("account/email/password_set")
def test_setting_a_password_on_an_account_without_one(client, signed_in):
    signed_in.set_unusable_password()
    signed_in.save()
    client.force_login(signed_in)
    on(client, "post", "/accounts/reauthenticate/", {"password": DEFAULT_PASSWORD})
    response = on(
        client,
        "post",
        "/accounts/password/set/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    message = only_email(signed_in.email)
    assert_security_notice(message, "A password was set for your Tandem account.")


@sends(
    "account/email/email_confirmation",
    "account/email/email_changed",
    "account/email/email_deleted",
)
def test_adding_confirming_and_removing_an_email_address(client, signed_in):
    new = "darcy.oneill@northshire.nhs.uk"
    response = on(client, "post", "/accounts/email/", {"action_add": "", "email": new})
    assert response.status_code == 302, response.content.decode()[:2000]
    confirmation = only_email(new)
    assert confirmation.subject == "Confirm your email address for Tandem"
    links = assert_tandem_email(confirmation, mentions=[new, f"{NAME} O'Neill"])
    assert any(link.startswith(f"{PUBLIC}/accounts/confirm-email/") for link in links)

    # The new address confirmed and made primary: the old one is told.
    EmailAddress.objects.filter(email=new).update(verified=True)
    mail.outbox.clear()
    response = on(client, "post", "/accounts/email/", {"action_primary": "", "email": new})
    assert response.status_code == 302
    changed = only_email(signed_in.email)
    assert_security_notice(
        changed,
        f"The email address of your Tandem account was changed from {signed_in.email} to {new}.",
    )

    mail.outbox.clear()
    response = on(
        client, "post", "/accounts/email/", {"action_remove": "", "email": signed_in.email}
    )
    assert response.status_code == 302
    removed = only_email(new)
    assert_security_notice(
        removed, f"The email address {signed_in.email} was removed from your Tandem account."
    )


def totp_code(secret: str) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@sends(
    "mfa/email/totp_activated",
    "mfa/email/recovery_codes_generated",
    "mfa/email/totp_deactivated",
)
def test_turning_two_factor_authentication_on_and_off(
    client, signed_in, django_capture_on_commit_callbacks
):
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    assert on(client, "get", "/accounts/2fa/totp/activate/").status_code == 200
    code = totp_code(client.session[SECRET_SESSION_KEY])
    with django_capture_on_commit_callbacks(execute=True):  # allauth sends it after commit
        response = on(client, "post", "/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302, response.content.decode()[:2000]
    activated = only_email(signed_in.email)
    assert_security_notice(
        activated,
        "Two-factor authentication was turned on for your Tandem account: signing in now "
        "needs a code from your authenticator app.",
    )

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = on(client, "post", "/accounts/2fa/recovery-codes/generate/")
    assert response.status_code == 302
    codes = only_email(signed_in.email)
    assert_security_notice(codes, "New recovery codes were made for your Tandem account.")

    mail.outbox.clear()
    response = on(client, "post", "/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    deactivated = only_email(signed_in.email)
    assert_security_notice(
        deactivated, "Two-factor authentication was turned off for your Tandem account."
    )


# --- Wagtail: the editorial workflow and comments -----------------------------------------------


@pytest.fixture
def superuser_with_totp(db):
    person = UserFactory(
        email="root@tandem.example", first_name=NAME, trust=None, is_superuser=True, is_staff=True
    )
    give_totp(person)
    return person


TITLE = "Budgets & O'Brien's rota"


@sends(
    "wagtailadmin/notifications/workflow_state_submitted",
    "wagtailadmin/notifications/task_state_submitted",
    "wagtailadmin/notifications/workflow_state_approved",
)
def test_submitting_a_page_for_review_and_approving_it(
    client, modules, editor, reviewer, superuser_with_totp
):
    module = modules[0]
    reviewer.first_name = NAME
    reviewer.save()
    client.force_login(editor)
    response = edit(client, module, "action-submit", title=TITLE)
    assert response.status_code == 302
    edit_link = f"{PUBLIC}{reverse('wagtailadmin_pages:edit', args=[module.pk])}"

    to_review = only_email(reviewer.email)
    links = assert_tandem_email(to_review, mentions=[f"Hello {NAME},", TITLE])
    assert edit_link in links
    # The superuser hears of the workflow and of the review task.
    superuser_messages = [m for m in mail.outbox if m.to == [superuser_with_totp.email]]
    assert len(superuser_messages) == 2
    for message in superuser_messages:
        assert edit_link in assert_tandem_email(message, mentions=[TITLE])

    mail.outbox.clear()
    client.force_login(reviewer)
    task_state = module.current_workflow_task_state
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[module.pk, "approve", task_state.pk]),
        {"comment": ""},
    )
    assert response.status_code in (200, 302)
    approved = only_email(editor.email)
    links = assert_tandem_email(approved, mentions=[TITLE])
    module.refresh_from_db()
    assert f"{PUBLIC}{module.url}" in links  # the page's own address, not the Site record's


@sends("wagtailadmin/notifications/workflow_state_rejected")
def test_a_reviewer_asking_for_changes(client, modules, editor, reviewer):
    module = modules[0]
    client.force_login(editor)
    edit(client, module, "action-submit", title=TITLE)
    mail.outbox.clear()
    client.force_login(reviewer)
    task_state = module.current_workflow_task_state
    client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[module.pk, "reject", task_state.pk]),
        {"comment": "Say who holds the budget & why"},
    )
    rejected = only_email(editor.email)
    links = assert_tandem_email(rejected, mentions=[TITLE, "Say who holds the budget & why"])
    assert f"{PUBLIC}{reverse('wagtailadmin_pages:edit', args=[module.pk])}" in links


@sends("wagtailadmin/notifications/updated_comments")
def test_a_comment_on_a_page(client, modules, editor, reviewer):
    from wagtail.test.utils.form_data import inline_formset

    module = modules[0]
    PageSubscription.objects.create(page=module, user=reviewer, comment_notifications=True)
    client.force_login(editor)
    comment = {
        "id": "",
        "contentpath": "title",
        "text": "Is O'Brien's rota <right> & agreed?",
        "position": "",
        "resolved": "",
        "replies": inline_formset([]),
    }
    response = edit(client, module, "action-save", comments=inline_formset([comment]))
    assert response.status_code == 302
    message = only_email(reviewer.email)
    links = assert_tandem_email(message, mentions=["Is O'Brien's rota <right> & agreed?"])
    assert f"{PUBLIC}{reverse('wagtailadmin_pages:edit', args=[module.pk])}" in links


# --- enrolment (programmes.emails) ------------------------------------------------------------

PROGRAMME_TITLE = "Leading Together: O'Brien's budgets & rotas"


@pytest.fixture
def learner(trust_a):
    return UserFactory(
        email="darcy@northshire.nhs.uk",
        first_name=NAME,
        last_name="O'Neill",
        trust=trust_a,
        roles=[AccessRole.PARTICIPANT],
    )


@pytest.fixture
def cohort_of(programme, trust_a):
    """A cohort of a programme whose page is live, so emails link to it."""
    from tests.factories import CohortFactory, ProgrammeFactory

    record = ProgrammeFactory(title=PROGRAMME_TITLE, page=programme)

    def make(**options):
        return CohortFactory(programme=record, host_trust=trust_a, name="Rowan & Ash", **options)

    return make


def enrol_answers(**extra):
    from programmes.models import Outlook, Relationship

    return {
        "baseline_relationship": str(Relationship.PARTNERSHIP_WITH_TENSIONS.value),
        "baseline_outlook": str(Outlook.SAME.value),
        "current_role": "Registrar & rota lead",
        "goals": "Understand O'Brien's budget.",
        **extra,
    }


def assert_enrolment_email(message, *, mentions=(), programme_link=True):
    links = assert_tandem_email(message, mentions=[PROGRAMME_TITLE, *mentions])
    assert f"{PUBLIC}/learn/" in links
    if programme_link:
        assert f"{PUBLIC}/programmes/leading-together/" in links
    return links


@sends("programmes/email/enrolled")
def test_enrolling(client, learner, cohort_of, django_capture_on_commit_callbacks):
    cohort = cohort_of()
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = on(client, "post", f"/learn/enrol/{cohort.pk}/", enrol_answers())
    assert response.status_code == 302, response.content.decode()[:2000]
    message = only_email(learner.email)
    assert message.subject == f"You have a place on {PROGRAMME_TITLE}"
    assert message.body.startswith(f"Hello {NAME},")
    assert_enrolment_email(message, mentions=["Rowan & Ash", cohort.host_trust.name])


@sends("programmes/email/waitlisted")
def test_joining_the_waiting_list(client, learner, cohort_of, django_capture_on_commit_callbacks):
    from tests.factories import EnrolmentFactory

    cohort = cohort_of(capacity=1)
    EnrolmentFactory(cohort=cohort)
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        on(client, "post", f"/learn/enrol/{cohort.pk}/", enrol_answers())
    message = only_email(learner.email)
    assert message.subject == f"You are on the waiting list for {PROGRAMME_TITLE}"
    assert_enrolment_email(message, mentions=["you are on the waiting list: you are number 1."])


SPONSOR_EMAIL = "ada.oconnor@northshire.nhs.uk"


def apply_with_sponsor(client, learner, cohort, capture):
    client.force_login(learner)
    with capture(execute=True):
        response = on(
            client,
            "post",
            f"/learn/enrol/{cohort.pk}/",
            enrol_answers(sponsor_name="Dr Ada O'Connor", sponsor_email=SPONSOR_EMAIL),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()  # the sponsor has no account
    return only_email(SPONSOR_EMAIL)


@sends("programmes/email/approval_requested", "programmes/email/approved")
def test_the_sponsors_request_and_their_approval(
    client, learner, cohort_of, django_capture_on_commit_callbacks
):
    cohort = cohort_of(requires_sponsor_approval=True)
    request = apply_with_sponsor(client, learner, cohort, django_capture_on_commit_callbacks)
    assert request.subject == (
        f"{NAME} O'Neill asks you to approve their place on {PROGRAMME_TITLE}"
    )
    assert request.body.startswith("Hello Dr Ada O'Connor,")
    links = assert_tandem_email(
        request,
        mentions=[f"{NAME} O'Neill", PROGRAMME_TITLE, "Rowan & Ash", "do not need an account"],
    )
    [link] = [link for link in links if link.startswith(f"{PUBLIC}/sponsor/")]

    mail.outbox.clear()
    path = link.removeprefix(PUBLIC)
    assert on(client, "get", path).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = on(client, "post", path, {"answer": "approve"})
    assert response.status_code == 200
    approved = only_email(learner.email)
    assert approved.subject == f"Your sponsor approved your place on {PROGRAMME_TITLE}"
    assert_enrolment_email(
        approved, mentions=["Your sponsor, Dr Ada O'Connor, approved", "You have a place."],
        programme_link=False,
    )  # fmt: skip


@sends("programmes/email/declined")
def test_the_sponsor_declining(client, learner, cohort_of, django_capture_on_commit_callbacks):
    cohort = cohort_of(requires_sponsor_approval=True)
    request = apply_with_sponsor(client, learner, cohort, django_capture_on_commit_callbacks)
    [link] = [link for link in text_links(request) if "/sponsor/" in link]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        on(
            client,
            "post",
            link.removeprefix(PUBLIC),
            {"answer": "decline", "reason": "Not while O'Brien's rota & budget change."},
        )
    declined = only_email(learner.email)
    assert declined.subject == f"Your application for {PROGRAMME_TITLE} was declined"
    assert_enrolment_email(
        declined,
        mentions=[
            "Your sponsor, Dr Ada O'Connor, declined",
            "The reason given: Not while O'Brien's rota & budget change.",
        ],
    )
    assert "emailed link" not in declined.body  # the sponsor's words, not the history's


@sends("programmes/email/withdrawn", "programmes/email/promoted")
def test_withdrawing_and_the_place_going_to_the_next_person(
    client, learner, cohort_of, administrator, django_capture_on_commit_callbacks
):
    from programmes import services
    from programmes.models import Enrolment
    from tests.factories import EnrolmentFactory

    cohort = cohort_of(capacity=1)
    seat = EnrolmentFactory(person=learner, cohort=cohort)
    waiting = UserFactory(email="next@northshire.nhs.uk", first_name="Siân", trust=learner.trust)
    EnrolmentFactory(person=waiting, cohort=cohort, status="waitlisted")
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = on(client, "post", f"/learn/enrolments/{seat.pk}/withdraw/", {"reason": ""})
    assert response.status_code == 302
    withdrawn = only_email(learner.email)
    assert withdrawn.subject == f"You have withdrawn from {PROGRAMME_TITLE}"
    assert_enrolment_email(
        withdrawn, mentions=["As you asked, you have withdrawn"], programme_link=False
    )
    promoted = only_email(waiting.email)
    assert promoted.subject == f"A place is yours on {PROGRAMME_TITLE}"
    assert promoted.body.startswith("Hello Siân,")
    assert_enrolment_email(promoted, mentions=["it is yours"], programme_link=False)

    # An administrator withdrawing someone says so, and why.
    mail.outbox.clear()
    enrolment = Enrolment.objects.get(person=waiting)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_withdraw(
            enrolment=enrolment, by=administrator, reason="Moved to O'Brien's trust & left."
        )
    by_admin = only_email(waiting.email)
    assert by_admin.subject == f"You have been withdrawn from {PROGRAMME_TITLE}"
    assert_enrolment_email(
        by_admin,
        mentions=[
            f"The programme team at {cohort.host_trust.name} has withdrawn you",
            "The reason given: Moved to O'Brien's trust & left.",
        ],
        programme_link=False,
    )


@sends("programmes/email/pair_invitation", "programmes/email/pair_declined")
def test_a_pair_invitation_and_its_refusal(
    client, learner, cohort_of, django_capture_on_commit_callbacks
):
    """Applying as a pair (programmes.services.pairs): the colleague is invited from the
    enrolment page, and the inviter told when they decline."""
    from tests.factories import ClinicianFactory

    colleague = ClinicianFactory(
        email="siobhan@northshire.nhs.uk", first_name="Siobhán", trust=learner.trust
    )
    cohort = cohort_of()
    client.force_login(learner)  # a manager, inviting a clinician
    with django_capture_on_commit_callbacks(execute=True):
        response = on(
            client,
            "post",
            f"/learn/enrol/{cohort.pk}/",
            enrol_answers(
                partner_email=colleague.email, partner_message="Shall we? O'Brien's idea"
            ),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    invitation = only_email(colleague.email)
    links = assert_tandem_email(
        invitation, mentions=[f"{NAME} O'Neill", PROGRAMME_TITLE, "Shall we? O'Brien's idea"]
    )
    [link] = [link for link in links if "/learn/pairs/" in link]
    assert f"{PUBLIC}/accounts/signup/" in links

    mail.outbox.clear()
    client.force_login(colleague)
    with django_capture_on_commit_callbacks(execute=True):
        response = on(
            client, "post", link.removeprefix(PUBLIC) + "decline/", {"reason": "Rota & O'Brien"}
        )
    assert response.status_code == 302
    declined = only_email(learner.email)
    links = assert_tandem_email(declined, mentions=[f"Hello {NAME},", "Rota & O'Brien"])
    assert f"{PUBLIC}/learn/enrol/{cohort.pk}/" in links


@sends(
    "programmes/email/session_rescheduled",
    "programmes/email/session_cancelled",
    "programmes/email/session_reminder",
)
def test_a_session_moved_cancelled_and_reminded(
    learner, cohort_of, django_capture_on_commit_callbacks
):
    """A session's participants are told when it moves or is cancelled
    (programmes.services.sessions), and reminded the day before (services.reminders)."""
    import datetime

    from django.utils import timezone

    from programmes import services
    from programmes.services.reminders import session_reminders_queue
    from tests.factories import EnrolmentFactory, SessionFactory

    cohort = cohort_of()
    EnrolmentFactory(cohort=cohort, person=learner)
    session = SessionFactory(cohort=cohort, title="Budgets & O'Brien's rota")
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=session,
            by=None,
            reason="Room & rota clash",
            starts_at=session.starts_at + datetime.timedelta(days=1),
            ends_at=session.ends_at + datetime.timedelta(days=1),
        )
    moved = only_email(learner.email)
    links = assert_tandem_email(moved, mentions=["Budgets & O'Brien's rota", "Room & rota clash"])
    assert f"{PUBLIC}/learn/sessions/{session.pk}/calendar.ics" in links

    mail.outbox.clear()
    soon = SessionFactory(
        cohort=cohort,
        title="Business planning & you",
        starts_at=timezone.now() + datetime.timedelta(hours=20),
        ends_at=timezone.now() + datetime.timedelta(hours=22),
    )
    with django_capture_on_commit_callbacks(execute=True):
        session_reminders_queue()
    reminder = only_email(learner.email)
    assert_tandem_email(reminder, mentions=["Business planning & you"])

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=soon, by=None, reason="Strike & snow")
    cancelled = only_email(learner.email)
    assert_tandem_email(cancelled, mentions=["Business planning & you", "Strike & snow"])


@sends("programmes/email/absence_alert", "programmes/email/absence_alert_facilitator")
def test_attendance_below_the_minimum(learner, cohort_of, django_capture_on_commit_callbacks):
    """The participant and each facilitator are told once (services.attendance)."""
    import datetime

    from django.utils import timezone

    from programmes.services.attendance import absence_alerts_raise
    from tests.factories import (
        AttendanceFactory,
        CohortFacilitatorFactory,
        EnrolmentFactory,
        SessionFactory,
    )

    cohort = cohort_of()
    cohort.programme.min_attendance_percent = 80
    cohort.programme.save()
    facilitator = CohortFacilitatorFactory(cohort=cohort, person__email="niamh@northshire.nhs.uk")
    enrolment = EnrolmentFactory(cohort=cohort, person=learner)
    start = timezone.now() - datetime.timedelta(days=2)
    session = SessionFactory(
        cohort=cohort, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    AttendanceFactory(session=session, enrolment=enrolment, mark="absent")

    with django_capture_on_commit_callbacks(execute=True):
        absence_alerts_raise(cohort_id=cohort.pk)

    mine = only_email(learner.email)
    links = assert_tandem_email(mine, mentions=[PROGRAMME_TITLE, "80%"])
    assert f"{PUBLIC}/learn/" in links
    theirs = only_email(facilitator.person.email)
    links = assert_tandem_email(theirs, mentions=[f"{NAME} O'Neill", "80%"])
    assert f"{PUBLIC}/learn/facilitate/cohorts/{cohort.pk}/attendance/" in links


# --- nothing sent that is not covered above -----------------------------------------------------

# Templates of emails that the libraries could send but Tandem's settings never let them,
# each with the check that keeps it so.
NOT_SENT = {
    "account/email/login_code": lambda: not allauth_settings().LOGIN_BY_CODE_ENABLED,
    "account/email/password_reset_code": (
        lambda: not allauth_settings().PASSWORD_RESET_BY_CODE_ENABLED
    ),
    "account/email/email_confirm": lambda: not allauth_sends("account/email/email_confirm"),
    "mfa/email/webauthn_added": lambda: "webauthn" not in settings.MFA_SUPPORTED_TYPES,
    "mfa/email/webauthn_removed": lambda: "webauthn" not in settings.MFA_SUPPORTED_TYPES,
    "socialaccount/email/account_connected": lambda: no_social_accounts(),
    "socialaccount/email/account_disconnected": lambda: no_social_accounts(),
}


def no_social_accounts() -> bool:
    return "allauth.socialaccount" not in settings.INSTALLED_APPS


def allauth_settings():
    from allauth.account import app_settings

    return app_settings


def allauth_sends(prefix: str) -> bool:
    """Whether any of allauth's code names the email `prefix`."""
    import allauth

    root = Path(allauth.__file__).parent
    return any(f'"{prefix}"' in path.read_text() for path in root.rglob("*.py"))


def message_prefixes(root: Path, pattern: str) -> set[str]:
    return {
        str(path.relative_to(root)).removesuffix("_message.txt")
        for path in root.glob(pattern)
        if not path.name.startswith("base")
    }


def wagtail_notifications_sent() -> set[str]:
    """The notifications Wagtail's signal handlers and page editor send, by template name."""
    from wagtail.admin import signal_handlers
    from wagtail.admin.mail import EmailNotificationMixin
    from wagtail.coreutils import camelcase_to_underscore

    sent = {"wagtailadmin/notifications/updated_comments"}  # the page editor's send_notification
    for notifier in vars(signal_handlers).values():
        if isinstance(notifier, EmailNotificationMixin):
            for cls in notifier.valid_classes:
                name = f"{camelcase_to_underscore(cls.__name__)}_{notifier.notification}"
                sent.add(f"{notifier.template_directory}{name}")
    return sent


@sends("coffee/email/match", "coffee/email/carried_over")
def test_a_tandem_coffee_round(learner, trust_a, django_capture_on_commit_callbacks):
    """Each member is told their match and the shared space; whoever is left over is told
    plainly they go first next round (coffee.tasks)."""
    import datetime

    from coffee import services as coffee
    from coffee.models import CoffeeScheme, SharedSpace
    from tests.factories import ClinicianFactory

    scheme = CoffeeScheme.objects.create(trust=trust_a)
    SharedSpace.objects.create(trust=trust_a, name="O'Brien & Ash kitchen", where="Level 3")
    clinicians = [ClinicianFactory(trust=trust_a) for _ in range(3)]
    for person in (learner, *clinicians):  # one manager, three clinicians: a trio, one left
        coffee.coffee_opt_set(person=person, opted_in=True)
    with django_capture_on_commit_callbacks(execute=True):
        coffee.coffee_round_create(scheme_id=scheme.pk, period_start=datetime.date(2026, 3, 1))
    match = only_email(learner.email)
    links = assert_tandem_email(match, mentions=["O'Brien & Ash kitchen"])
    assert f"{PUBLIC}/learn/coffee/" in links
    [carried] = [m for m in mail.outbox if "no match" in m.subject]
    assert f"{PUBLIC}/learn/coffee/" in assert_tandem_email(carried, mentions=["first"])


@sends("pairing/email/paired")
def test_a_new_pairing(learner, trust_a, django_capture_on_commit_callbacks):
    """Both people are told whom they are paired with, and where their pair page is."""
    from pairing import services as pairing
    from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory

    cohort = CohortFactory(host_trust=trust_a)
    clinician = ClinicianFactory(trust=trust_a, first_name="Siân", last_name="O'Hara")
    for person in (learner, clinician):
        EnrolmentFactory(person=person, cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        made = pairing.pairing_create(clinician=clinician, manager=learner, group=cohort, by=None)
    message = only_email(learner.email)
    links = assert_tandem_email(message, mentions=["Siân O'Hara"])
    assert f"{PUBLIC}/learn/pairing/{made.pk}/" in links
    assert "O'Neill" in only_email(clinician.email).subject


@sends("pairing/email/visit_to_confirm")
def test_a_visit_to_confirm(learner, trust_a, django_capture_on_commit_callbacks):
    """The partner of whoever logged a visit is asked to confirm it, with a link to do so."""
    import datetime

    from django.utils import timezone

    from pairing import services as pairing
    from tests.pairing.factories import PairingFactory

    made = PairingFactory(cohort__host_trust=trust_a, manager=learner)
    with django_capture_on_commit_callbacks(execute=True):
        pairing.visit_log(
            pairing=made,
            by=made.clinician,
            shadower=made.clinician,
            visited_on=timezone.localdate() - datetime.timedelta(days=1),
            hours="2.5",
            setting="budget_meeting",
        )
    message = only_email(learner.email)
    links = assert_tandem_email(message, mentions=["they shadowed you", "Budget meeting"])
    assert f"{PUBLIC}/learn/pairing/{made.pk}/#visits" in links
    assert "2.5 hours" in message.subject


@sends("certificates/email/certificate_ready")
def test_a_certificate_ready(learner, cohort_of, django_capture_on_commit_callbacks):
    """Once a completed enrolment's certificate is rendered, its holder is sent the PDF with
    its verify link and where to download it again (certificates.tasks)."""
    from certificates.models import Certificate
    from programmes import services
    from tests.factories import EnrolmentFactory

    enrolment = EnrolmentFactory(cohort=cohort_of(), person=learner)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_complete(
            enrolment=enrolment, by=UserFactory(is_superuser=True), reason="All rules met"
        )
    certificate = Certificate.objects.get(enrolment=enrolment)
    message = only_email(learner.email)
    assert message.subject == f"Your certificate for {PROGRAMME_TITLE}"
    links = assert_tandem_email(
        message, mentions=[f"Hello {NAME},", PROGRAMME_TITLE, "Rowan & Ash"]
    )
    assert f"{PUBLIC}/verify/{certificate.printed_code}/" in links
    assert f"{PUBLIC}/learn/certificates/" in links
    [(filename, content, _)] = message.attachments
    assert filename == f"tandem-certificate-{certificate.printed_code}.pdf"
    assert content.startswith(b"%PDF")


def _survey_emails(learner, cohort_of, capture, *, days: int):
    """The completion survey's emails as beat sends them: the invitation when it is due, and
    the reminder two weeks later (outcomes.services.surveys_queue_due)."""
    import datetime

    import time_machine

    from outcomes import services as outcomes
    from tests.factories import EnrolmentFactory

    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    enrolment = EnrolmentFactory(cohort=cohort_of(), person=learner, status="completed")
    with time_machine.travel(start, tick=False):
        outcomes.surveys_schedule(enrolment=enrolment, completed_at=start)
    for day in sorted({0, days}):
        moment = start + datetime.timedelta(days=day)
        with time_machine.travel(moment, tick=False), capture(execute=True):
            outcomes.surveys_queue_due()
    return mail.outbox


@sends("outcomes/email/survey_invitation")
def test_a_follow_up_survey_invitation(learner, cohort_of, django_capture_on_commit_callbacks):
    """At completion the participant is asked the paper's relationship question again, by a
    signed link that needs no sign-in (outcomes.tasks.send_survey_invitation)."""
    [message] = _survey_emails(learner, cohort_of, django_capture_on_commit_callbacks, days=0)
    assert message.to == [learner.email]
    links = assert_tandem_email(message, mentions=[PROGRAMME_TITLE])
    assert any(link.startswith(f"{PUBLIC}/survey/") for link in links), links


@sends("outcomes/email/survey_reminder")
def test_a_follow_up_survey_reminder(learner, cohort_of, django_capture_on_commit_callbacks):
    """Two weeks on, unanswered: one reminder, with a fresh link."""
    _invitation, reminder = _survey_emails(
        learner, cohort_of, django_capture_on_commit_callbacks, days=14
    )
    assert "reminder" in reminder.subject.lower()
    links = assert_tandem_email(reminder, mentions=[PROGRAMME_TITLE])
    assert any(link.startswith(f"{PUBLIC}/survey/") for link in links), links


@sends("reports/monthly/email/monthly_report")
def test_a_monthly_report(trust_a, monkeypatch):
    """Each reporting lead of the trust is sent its monthly report, the PDF attached, with
    where to find it and earlier ones (reports.tasks)."""
    from reports import monthly_pdf, tasks
    from reports.models import MonthlyReportEmail
    from tests.factories_reports import STAND_IN_PDF, MonthlyReportFactory

    lead = UserFactory(
        email="darcy.lead@northshire.nhs.uk",
        first_name=NAME,
        trust=trust_a,
        roles=[AccessRole.TRUST_REPORTING_LEAD],
    )
    monkeypatch.setattr(monthly_pdf, "render", lambda content: STAND_IN_PDF)
    report = MonthlyReportFactory(trust=trust_a)
    tasks.monthly_report_render(report.pk)
    tasks.send_monthly_report_email(MonthlyReportEmail.objects.get(person=lead).pk)
    message = only_email(lead.email)
    assert message.subject == f"Tandem monthly report for {trust_a.name}: October 2026"
    links = assert_tandem_email(message, mentions=[f"Hello {NAME},", trust_a.name])
    assert f"{PUBLIC}/reports/trusts/{trust_a.pk}/" in links
    [(filename, content, _)] = message.attachments
    assert filename == "tandem-report-rns-2026-10.pdf" and content == STAND_IN_PDF


def test_every_email_template_of_tandem_and_allauth_is_covered_or_never_sent():
    import allauth

    library = Path(allauth.__file__).parent / "templates"
    in_allauth = message_prefixes(library, "*/email/*_message.txt")
    in_tandem = message_prefixes(TEMPLATES, "**/email/*_message.txt")
    from programmes.emails import KINDS, TEMPLATE_DIR

    enrolment_emails = {f"{TEMPLATE_DIR}/{name}" for name in KINDS}
    assert len(enrolment_emails) == 7
    pair_emails = {f"{TEMPLATE_DIR}/pair_invitation", f"{TEMPLATE_DIR}/pair_declined"}
    session_emails = {
        f"{TEMPLATE_DIR}/{name}"
        for name in (
            "session_rescheduled",
            "session_cancelled",
            "session_reminder",
            "absence_alert",
            "absence_alert_facilitator",
        )
    }
    coffee_emails = {"coffee/email/match", "coffee/email/carried_over"}
    pairing_emails = {"pairing/email/paired", "pairing/email/visit_to_confirm"}
    certificate_emails = {"certificates/email/certificate_ready"}
    survey_emails = {"outcomes/email/survey_invitation", "outcomes/email/survey_reminder"}
    report_emails = {"reports/monthly/email/monthly_report"}
    # Tandem's own
    assert in_tandem - in_allauth == {
        "accounts/email/invitation",
        *enrolment_emails,
        *pair_emails,
        *session_emails,
        *coffee_emails,
        *pairing_emails,
        *certificate_emails,
        *survey_emails,
        *report_emails,
    }
    for prefix, never_sent in NOT_SENT.items():
        assert never_sent(), f"{prefix} can now be sent: cover it with a test here"
        assert prefix not in in_tandem, prefix
    uncovered = (in_allauth | in_tandem) - set(NOT_SENT) - set(COVERED)
    assert not uncovered, f"emails with no test here: {sorted(uncovered)}"
    # Each covered allauth email is Tandem's (the fixture checks where each was rendered from).
    assert {p for p in COVERED if not p.startswith("wagtailadmin/")} <= in_tandem


def test_every_wagtail_notification_sent_is_covered():
    sent = wagtail_notifications_sent()
    assert len(sent) >= 5
    assert sent == {p for p in COVERED if p.startswith("wagtailadmin/")}
    # Tandem's own notification templates are only its layouts and the approval (whose page
    # link it moves onto BASE_URL); no other one is left over from a notification Wagtail
    # no longer sends.
    ours = {p.name for p in (TEMPLATES / "wagtailadmin" / "notifications").iterdir()}
    assert ours == {
        "base.txt",
        "base.html",
        "workflow_state_approved.txt",
        "workflow_state_approved.html",
    }


def test_every_plain_text_email_template_turns_escaping_off():
    """A subject or text part that escaped would send D&#x27;Arcy: each template turns
    autoescape off or extends one that does."""
    paths = [
        *TEMPLATES.glob("**/email/*.txt"),
        *(TEMPLATES / "wagtailadmin" / "notifications").glob("*.txt"),
    ]
    assert len(paths) > 30
    for path in paths:
        text = path.read_text()
        assert "{% autoescape off %}" in text or re.search(
            r"{% extends ['\"][^'\"]+\.txt['\"]", text
        ), path
