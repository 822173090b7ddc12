"""Report aggregates over the API: the dashboard's and the comparison's own tables, disclosed
exactly as on the pages (a small count is "<5" with no value), scoped by reports.permissions
(another trust or region is a 404; the national comparison is for national leads)."""

import pytest

from people.access import AccessRole
from people.models import Region
from reports import dashboard
from reports.selectors import ReportFilter
from tests.factories import ClinicianFactory, CohortFactory, EnrolmentFactory, UserFactory

from .helpers import api_client, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_a(trust_a):
    return UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])


def _cells(body, slug):
    table = next(t for t in body["tables"] if t["slug"] == slug)
    return {row["label"]: row["cells"] for row in table["rows"]}


def test_a_trusts_report_is_its_dashboards_tables_suppressed_the_same(lead_a, trust_a):
    cohort = CohortFactory(host_trust=trust_a)
    for _ in range(3):
        EnrolmentFactory(cohort=cohort, person=ClinicianFactory(trust=trust_a))
    for _ in range(6):
        EnrolmentFactory(cohort=cohort, person=UserFactory(trust=trust_a))
    api = api_client(token_for(lead_a))
    response = api.get(f"/api/v1/reports/trusts/{trust_a.pk}/")
    assert response.status_code == 200
    body = response.json()
    board = dashboard.build(ReportFilter(trust=trust_a))
    assert [t["slug"] for t in body["tables"]] == list(board.tables)
    for slug, table in board.tables.items():
        api_rows = _cells(body, slug)
        for row in table.rows:
            assert [c["text"] for c in api_rows[row.label]] == [str(c) for c in row.cells]
    # The small counts: text only, no value, as the page shows them.
    hidden = [c for t in body["tables"] for r in t["rows"] for c in r["cells"] if c["hidden"]]
    assert hidden and all(c["value"] is None for c in hidden)
    assert body["suppression"]["threshold"] == 5


def test_another_trust_or_a_bad_filter_is_refused(lead_a, trust_b, participant):
    api = api_client(token_for(lead_a))
    assert api.get(f"/api/v1/reports/trusts/{trust_b.pk}/").status_code == 404
    bad = api.get(f"/api/v1/reports/trusts/{lead_a.trust_id}/", {"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.json()["errors"]
    assert api.get("/api/v1/reports/national/").status_code == 403
    facilitator = UserFactory(trust=lead_a.trust, roles=[AccessRole.FACILITATOR])
    refused = api_client(token_for(facilitator)).get(f"/api/v1/reports/trusts/{lead_a.trust_id}/")
    assert refused.status_code == 403


def test_the_comparisons_are_scoped_like_the_pages(trust_a, trust_b):
    national = UserFactory(trust=None, roles=[AccessRole.NATIONAL_LEAD])
    body = api_client(token_for(national)).get("/api/v1/reports/national/").json()
    assert body["scope"] == "England"
    assert {t["slug"] for t in body["tables"]} == {
        "participation", "leadership", "relationship", "activity"
    }  # fmt: skip
    labels = [row["label"] for row in body["tables"][0]["rows"]]
    assert "England (all trusts)" in labels and trust_a.name in labels
    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    api = api_client(token_for(lead))
    own = api.get(f"/api/v1/reports/regions/{trust_a.region_id}/").json()
    own_labels = [row["label"] for row in own["tables"][0]["rows"]]
    assert trust_a.name in own_labels and trust_b.name not in own_labels
    london = Region.objects.get(code="Y56")
    assert api.get(f"/api/v1/reports/regions/{london.pk}/").status_code == 404
