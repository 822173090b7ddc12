"""Malformed ids are 404 or a form error, never a 500: non-ASCII digits, 25-digit numbers,
letters, on the audit log and its export, the learner's progress forms, and every model's
bulk actions (for a superuser too, who passes every permission check)."""

import pytest
from django.test import Client
from wagtail.models import Page

from audit.models import AuditAction, AuditEvent
from tests.audit.helpers import sign_in
from tests.factories import AuditEventFactory

pytestmark = pytest.mark.django_db

HUGE = "1" + "0" * 24  # 25 digits: beyond every database's integers
JUNK_IDS = ["²", HUGE, "abc", "-1", "", "1.5", "1\x00", "٣"]


@pytest.fixture
def root_client(superuser):
    client = Client(raise_request_exception=False)  # a 500 is a finding, not a crash
    return sign_in(client, superuser)


@pytest.mark.parametrize("field", ["actor", "subject"])
@pytest.mark.parametrize("value", ["²", HUGE])
def test_audit_log_filter_answers_a_form_error(root_client, superuser, field, value):
    AuditEventFactory(actor=superuser)
    response = root_client.get("/admin/audit-log/", {field: value})
    assert response.status_code == 200
    assert "A person id is a number of at most 19 digits" in response.content.decode()
    response = root_client.get("/admin/audit-log/results/", {field: value})
    assert response.status_code == 200


@pytest.mark.parametrize("field", ["actor", "subject"])
@pytest.mark.parametrize("value", ["²", HUGE])
def test_audit_log_export_refuses_a_bad_filter_rather_than_export_everything(
    root_client, field, value
):
    response = root_client.get("/admin/audit-log/export/", {field: value})
    assert response.status_code == 400
    assert "Nothing was exported" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_a_valid_person_id_still_filters(root_client, superuser):
    response = root_client.get("/admin/audit-log/export/", {"actor": str(superuser.pk)})
    assert response.status_code == 200


def test_progress_on_a_25_digit_module_is_404(client, participant):
    client.force_login(participant)
    for view in ("progress", "reflections"):
        response = client.post(f"/learn/modules/{HUGE}/{view}/", {"completed": "yes"})
        assert response.status_code == 404
    response = client.post(f"/learn/reflections/{HUGE}/delete/")
    assert response.status_code == 404


BULK_ACTIONS = [
    "/admin/bulk/people/user/set_active_state/",
    "/admin/bulk/people/user/delete/",
    "/admin/bulk/wagtailcore/page/publish/",
    "/admin/bulk/wagtailcore/page/delete/",
    "/admin/bulk/wagtailimages/image/delete/",
    "/admin/bulk/wagtaildocs/document/delete/",
    "/admin/bulk/cms/topic/delete/",
]


@pytest.mark.parametrize("url", BULK_ACTIONS)
def test_every_models_bulk_actions_answer_404_to_junk_ids(root_client, url):
    for value in JUNK_IDS:
        for method in (root_client.get, root_client.post):
            response = method(f"{url}?id={value}")
            assert response.status_code == 404, (url, value, method.__name__)


@pytest.mark.parametrize("url", BULK_ACTIONS[2:])
def test_bulk_actions_answer_404_to_a_junk_parent(root_client, url):
    for value in ("abc", HUGE, "²", ""):
        response = root_client.get(f"{url}?id=all&childOf={value}")
        assert response.status_code == 404, (url, value)


def test_bulk_actions_still_work_with_real_ids(root_client):
    home = Page.objects.get(depth=2)
    response = root_client.get(f"/admin/bulk/wagtailcore/page/publish/?id={home.pk}")
    assert response.status_code == 200
    response = root_client.get("/admin/bulk/wagtailcore/page/publish/?id=all&childOf=1")
    assert response.status_code == 200


def test_anonymous_bulk_action_is_sent_to_sign_in():
    response = Client().get("/admin/bulk/people/user/set_active_state/?id=1")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_wagtail_admin_int_urls_beyond_any_id_are_404(root_client):
    for path in (f"/admin/pages/{HUGE}/edit/", f"/admin/pages/{HUGE}/", f"/admin/images/{HUGE}/"):
        assert root_client.get(path).status_code == 404, path


# Found by tests/security/test_fuzz_admin.py: Wagtail's generic, chooser and API views looked
# up junk ids as they came.
@pytest.mark.parametrize(
    "path",
    [
        "/admin/snippets/choose/cms/topic/chosen/abc/",
        "/admin/images/chooser/chosen/x/",
        "/admin/documents/chooser/chosen/%00/",
        "/admin/snippets/cms/topic/edit/abc/",
        "/admin/choose-page/chosen-multiple/?id=y",
        "/admin/images/chooser/chosen-multiple/?id='",
        f"/admin/snippets/choose/cms/topic/chosen-multiple/?id={HUGE}",
        "/admin/api/main/pages/find/?id=abc",
    ],
)
def test_views_that_look_up_an_id_answer_404_to_junk(root_client, path):
    assert root_client.get(path).status_code == 404


def test_a_multiple_choice_filter_with_a_number_beyond_any_id_matches_nothing(root_client):
    response = root_client.get("/admin/forms/results/", {"owner": "-" + HUGE})
    assert response.status_code == 200
    from people.models import User

    assert list(User.objects.filter(pk__in=[10**24, -(10**24)])) == []
