"""Formula injection: every CSV/XLSX that leaves the system neutralises formulas, Wagtail's
own exports included (they all go through SpreadsheetExportMixin, defused in audit.apps)."""

import csv
import io

import pytest
from openpyxl import load_workbook
from wagtail.log_actions import log

from cms.models import Topic
from tests.audit.helpers import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","open")'


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def xlsx_rows(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def cells(rows) -> list:
    return [cell for row in rows for cell in row]


@pytest.fixture
def evil_history(superuser):
    """A person whose name is a formula, who changed something Wagtail logs."""
    evil = UserFactory(first_name=FORMULA, last_name="", trust=None)
    topic = Topic.objects.create(name="Budgets 101", slug="budgets-101")
    log(topic, "wagtail.edit", user=evil)
    return evil


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_site_history_report_export_defuses_a_name_that_is_a_formula(
    client, superuser, evil_history, export
):
    sign_in(client, superuser)
    response = client.get("/admin/reports/site-history/", {"export": export})
    assert response.status_code == 200
    rows = csv_rows(response) if export == "csv" else xlsx_rows(response)
    values = [str(value) for value in cells(rows) if value is not None]
    assert "'" + FORMULA in values  # shown, as text, not run
    assert not any(value.startswith(("=", "+", "@")) for value in values)


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_tandem_listing_export_defuses_formulas(rf, superuser, export):
    """Tandem's own Topics listing (cms.wagtail_hooks.TopicViewSet), with its export turned
    on: the defusing is the mixin's, so any listing that exports later is covered."""
    evil = "+cmd|' /C notepad'!A0"
    Topic.objects.create(name=evil, slug="evil-topic")
    viewset = Topic.snippet_viewset
    kwargs = {**viewset.get_index_view_kwargs(), "list_export": ["name", "slug"]}
    view = viewset.construct_view(viewset.index_view_class, **kwargs)
    request = rf.get("/admin/snippets/cms/topic/", {"export": export})
    request.user = superuser
    response = view(request)
    assert response.status_code == 200
    rows = csv_rows(response) if export == "csv" else xlsx_rows(response)
    values = [str(value) for value in cells(rows) if value is not None]
    assert "evil-topic" in values  # the export has real rows
    assert "'" + evil in values
    assert evil not in values


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_redirects_listing_export_defuses_formulas(client, superuser, export):
    from wagtail.contrib.redirects.models import Redirect

    Redirect.objects.create(old_path="/old", redirect_link="=1+2")
    sign_in(client, superuser)
    response = client.get("/admin/redirects/", {"export": export})
    assert response.status_code == 200
    rows = csv_rows(response) if export == "csv" else xlsx_rows(response)
    values = [str(value) for value in cells(rows) if value is not None]
    assert "'=1+2" in values
    assert "=1+2" not in values


def test_negative_numbers_and_plain_text_are_left_alone():
    from audit.spreadsheet_exports import _defused

    assert _defused("-3") == "-3"
    assert _defused(-3) == -3
    assert _defused("Dr Ward") == "Dr Ward"
    assert _defused(None) is None
