"""In a real browser: the "Your data" page follows a request's progress by itself (the
external script, under the real Content-Security-Policy) and shows the download when ready."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from privacy.models import SubjectAccessStatus
from tests.browser.conftest import browser, chromium_executable, live_url, page  # noqa: F401
from tests.factories import ClinicianFactory, SubjectAccessRequestFactory

pytestmark = pytest.mark.browser


def test_progress_updates_without_reloading_and_the_download_appears(
    restore_migration_data,
    page,  # noqa: F811
    live_url,  # noqa: F811
):
    person = ClinicianFactory(email="priya@northshire.nhs.uk")
    sar = SubjectAccessRequestFactory(
        person=person, status=SubjectAccessStatus.RUNNING, progress=20, heartbeat_at=timezone.now()
    )
    client = Client()
    client.force_login(person)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}]
    )
    errors, failed = [], []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))

    page.goto(f"{live_url}/account/my-data/")
    bar = page.locator("progress#sar-progress")
    expect(bar).to_have_attribute("value", "20")

    type(sar).objects.filter(pk=sar.pk).update(progress=60, heartbeat_at=timezone.now())
    expect(bar).to_have_js_property("value", 60)
    expect(page.get_by_text("Your data is being prepared: 60% done.")).to_be_visible()

    sar.file.save("tandem-data.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    type(sar).objects.filter(pk=sar.pk).update(
        status=SubjectAccessStatus.READY,
        progress=100,
        file=sar.file.name,
        finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=30),
    )
    expect(page.get_by_role("link", name="Download your data")).to_be_visible()
    # No request of the page failed, and no CSP violation ("Refused to ...") or script error.
    # (Chromium's own favicon probe 404s: it logs "Failed to load resource" but is no
    # response of the page's.)
    assert failed == []
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []
