""" "Does it work?" downloads (/reports/effect/<trust>/<table>.<csv|xlsx>): each table as the
page shows it — the same disclosed figures, suppression as text, counts as numbers in XLSX,
formula-safe — scoped as the page is, with a bounded number of queries."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from people.access import AccessRole
from tests.factories import ClinicianFactory, TrustFactory, UserFactory, give_totp
from tests.reports.test_effect_groups import completer, leadership

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_a(trust_a):
    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    give_totp(lead)
    return lead


def url(trust, table, export_format) -> str:
    return reverse("reports:effect_download", args=[trust.pk, table, export_format])


def grow(trust, *, completers=12, completers_appointed=6, others=8, others_appointed=4):
    """Completers and a comparison group, everyone followed for more than 24 months; the
    appointed ones within the first year."""
    start = timezone.localdate() - datetime.timedelta(days=800)
    for index in range(completers):
        person = completer(trust, day=start)
        if index < completers_appointed:
            leadership(person, start + datetime.timedelta(days=60 * (index + 1)))
    for index in range(others):
        person = ClinicianFactory(trust=trust)
        if index < others_appointed:
            leadership(person, start + datetime.timedelta(days=100))


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _body(rows, first_column: str) -> list[list]:
    """The table's rows: after its column headings, up to the blank line."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Group") + 1
    end = next(i for i in range(start, len(rows)) if not any(rows[i]))
    return [row for row in rows[start:end] if row[0] == first_column]


def test_each_file_holds_the_pages_figures_with_suppression(client, lead_a, trust_a):
    grow(trust_a)
    client.force_login(lead_a)
    page = client.get(reverse("reports:effect_trust", args=[trust_a.pk]))
    completers, comparison = page.context["groups"]
    body = page.content.decode()
    for table in ("rates", "survival"):
        for export_format in ("csv", "xlsx"):  # linked from the page under each table
            assert f'href="{url(trust_a, table, export_format)}"' in body

    rates = _csv(client.get(url(trust_a, "rates", "csv")))
    for group in (completers, comparison):
        assert _body(rates, group.label) == [
            [group.label, f"{r['months']} months", r["n"].text, r["k"].text, r["rate_display"],
             r["interval_display"]]
            for r in group.rates
        ]  # fmt: skip
    assert _body(rates, completers.label)[0][2:5] == ["12", "6", "50.0%"]
    # Four of eight appointed: "<5", and the eight hidden too ("*"): with both halves "<5",
    # eight would give each of them away as 4.
    assert _body(rates, comparison.label)[0][2:6] == ["*", "<5", "Not shown", "—"]

    survival = _csv(client.get(url(trust_a, "survival", "csv")))
    for group in (completers, comparison):
        assert _body(survival, group.label) == [
            [group.label, str(row.months), row.at_risk.text, row.events.text,
             row.survival_display, row.appointed_display]
            for row in group.table
        ]  # fmt: skip
    assert _body(survival, comparison.label)[0][3] == "<5"  # four appointed by 6 months

    # The heading lines: whose figures, not proof of cause, what "<5" and "*" mean; and the
    # people left out of both groups, as the page says them.
    text = "\n".join(row[0] for row in rates if row)
    assert trust_a.name in text and "not proof of cause" in text
    assert "<5: between 1 and 4" in text and "*: hidden so that" in text
    assert ["Completed a programme", "0"] in rates and ["Comparison group", "0"] in survival
    # Nothing the page does not show: the comparison group's size (8) is not on it (its
    # people followed for 12 months are "*"), so it is in no cell of either file.
    assert "8" not in [cell for row in rates + survival for cell in row]


def test_xlsx_counts_are_numbers_and_suppressed_ones_text(client, lead_a, trust_a):
    grow(trust_a)
    client.force_login(lead_a)
    response = client.get(url(trust_a, "rates", "xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="rns-effect-rates.xlsx"' in response["Content-Disposition"]
    rows = _xlsx(response)
    assert _body(rows, "Completed a programme")[0][:4] == ["Completed a programme", "12 months",
                                                           12, 6]  # fmt: skip
    assert _body(rows, "Comparison group (did not enrol)")[0][2:4] == ["*", "<5"]
    survival = _xlsx(client.get(url(trust_a, "survival", "xlsx")))
    first = _body(survival, "Completed a programme")[0]
    assert first[1] == 6 and isinstance(first[2], int)  # months and people, as numbers


def test_groups_too_small_say_so_as_the_page_does(client, lead_a, trust_a):
    grow(trust_a, completers=3, completers_appointed=1, others=0, others_appointed=0)
    client.force_login(lead_a)
    page = client.get(reverse("reports:effect_trust", args=[trust_a.pk])).content.decode()
    wording = "Not shown: fewer than 5 people in the group."
    assert wording in page
    for table in ("rates", "survival"):
        rows = _csv(client.get(url(trust_a, table, "csv")))
        assert ["Completed a programme", wording] in rows
        assert ["Comparison group (did not enrol)", wording] in rows  # nobody: no 0/0
        response = client.get(url(trust_a, table, "xlsx"))
        assert response.status_code == 200
        assert ["Completed a programme", wording] in [row[:2] for row in _xlsx(response)]


def test_a_trust_name_that_looks_like_a_formula_stays_text(client):
    trust = TrustFactory(name='=HYPERLINK("http://evil.example")', ods_code="RZZ")
    lead = UserFactory(trust=trust, roles=[AccessRole.TRUST_REPORTING_LEAD])
    give_totp(lead)
    grow(trust)
    client.force_login(lead)
    rows = _csv(client.get(url(trust, "rates", "csv")))
    assert rows[1][0].startswith("'=HYPERLINK")
    workbook = load_workbook(io.BytesIO(client.get(url(trust, "rates", "xlsx")).content))
    sheet = workbook.worksheets[0]
    assert sheet["A2"].value.startswith("'=HYPERLINK") and sheet["A2"].data_type == "s"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


# --- refusal ----------------------------------------------------------------------------------


def test_another_trust_unknown_tables_and_posts_are_refused(client, lead_a, trust_a, trust_b):
    client.force_login(lead_a)
    own = client.get(url(trust_a, "survival", "csv"))
    assert own.status_code == 200
    assert "private" in own["Cache-Control"] and "no-store" in own["Cache-Control"]
    page = client.get(f"/reports/effect/{trust_a.pk}/")  # the page is as private as its files
    assert "private" in page["Cache-Control"] and "no-store" in page["Cache-Control"]
    assert client.get(url(trust_b, "rates", "csv")).status_code == 404
    assert client.get(url(trust_b, "nosuch", "pdf")).status_code == 404
    assert client.get(f"/reports/effect/{trust_a.pk}/nosuch.csv").status_code == 404
    assert client.get(f"/reports/effect/{trust_a.pk}/rates.pdf").status_code == 404
    assert client.get("/reports/effect/99999999/rates.csv").status_code == 404
    assert client.post(url(trust_a, "rates", "csv")).status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(client, trust_a):
    response = client.get(url(trust_a, "rates", "xlsx"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_download_query_count_does_not_grow_with_the_data(
    client, lead_a, trust_a, django_assert_max_num_queries
):
    grow(trust_a, completers=30, completers_appointed=10, others=30, others_appointed=5)
    client.force_login(lead_a)
    # Ours (3): the trust, then one query per group (its people, their start, whether they
    # led at it and their first appointment after it). The site's (7): session, user, access
    # grants, TOTP authenticator; the session's save (a savepoint, an update, its release).
    # No template, so none of the page's menu or Wagtail queries. None of it grows with the
    # number of people.
    with django_assert_max_num_queries(10):
        response = client.get(url(trust_a, "rates", "csv"))
    assert response.status_code == 200
