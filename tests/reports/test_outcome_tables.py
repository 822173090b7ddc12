"""The dashboard's outcome tables (reports/outcome_tables.py) against counts worked out by
hand on factory data: the relationship and outlook answers when they enrolled, at completion
and 12 months after, beside the paper; the self-assessment before and after, per dimension;
their suppression (primary and secondary); the filters; the downloads; and the refusal of
another trust's figures."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from outcomes.dimensions import Dimension
from people.access import AccessRole
from reports import dashboard
from reports.charts import add_charts
from reports.disclosure import disclose, hide_totals_together
from reports.selectors import ReportFilter
from tests.audit.helpers import sign_in
from tests.factories import (
    ClinicianFactory,
    CohortFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.factories_outcomes import SurveyInvitationFactory, rate

pytestmark = pytest.mark.django_db
D = datetime.date
ANSWERED = datetime.datetime(2023, 7, 10, 12, tzinfo=datetime.UTC)
NEW_TABLES = ("relationship_after", "outlook", "self_assessment", "self_assessment_levels")


def texts(cells) -> list[str]:
    return [cell.text for cell in cells]


@pytest.fixture
def lead_a(trust_a):
    return UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])


@pytest.fixture
def world(trust_a, trust_b):
    """Trust A's cohort X (first half of 2023): twelve completers, E1 to E12.

    - When they enrolled, the relationship: 0 strong partnership, 6 partnership with areas of
      tension, 5 tolerance, 1 persistent tensions; the outlook: 7 better, 5 the same.
    - At completion (E1 to E10 answered, E11 was sent and did not answer): relationship 5
      strong partnership, 5 partnership with tensions; outlook 6 better, 4 the same.
    - 12 months after (E1 to E3): relationship 1 strong, 2 with tensions; outlook 3 better.
    - Self-assessment, E1 to E10 before and after: before, five at essential and five at
      proficient on every dimension; after, five proficient and five strong — except holding
      to account, eight strong and two exemplary. E11 rated before only (not counted: before
      and after must be the same people).

    Never counted for trust A: a trust B person in cohort X (answers and ratings of every
    kind). Trust A's cohort Y (2025): one completer, completion answer persistent tensions
    and get worse, for the filters."""
    programme = ProgrammeFactory()
    x = CohortFactory(
        programme=programme,
        host_trust=trust_a,
        name="X",
        starts_on=D(2023, 1, 1),
        ends_on=D(2023, 6, 30),
    )
    y = CohortFactory(
        programme=programme,
        host_trust=trust_a,
        name="Y",
        starts_on=D(2025, 1, 1),
        ends_on=D(2025, 6, 30),
    )
    baseline_relationship = [2] * 6 + [3] * 5 + [4]
    baseline_outlook = [1] * 7 + [2] * 5
    completion = [(1, 1)] * 5 + [(2, 1)] + [(2, 2)] * 4  # (relationship, outlook)
    year = [(1, 1), (2, 1), (2, 1)]
    enrolments = []
    for index in range(12):
        person = (ClinicianFactory if index % 2 else UserFactory)(trust=trust_a)
        enrolments.append(
            EnrolmentFactory(
                person=person,
                cohort=x,
                status="completed",
                baseline_relationship=baseline_relationship[index],
                baseline_outlook=baseline_outlook[index],
            )
        )
    for enrolment, (relationship, outlook) in zip(enrolments, completion, strict=False):
        SurveyInvitationFactory(
            enrolment=enrolment, relationship=relationship, outlook=outlook, answered_at=ANSWERED
        )
    SurveyInvitationFactory(enrolment=enrolments[10])  # sent, never answered
    for enrolment, (relationship, outlook) in zip(enrolments, year, strict=False):
        SurveyInvitationFactory(
            enrolment=enrolment,
            kind="twelve_months",
            relationship=relationship,
            outlook=outlook,
            answered_at=ANSWERED,
        )
    for index, enrolment in enumerate(enrolments[:10]):
        rate(enrolment, "before", 1 if index < 5 else 2)
        after = dict.fromkeys(Dimension.values, 2 if index < 5 else 3)
        after["holding-to-account"] = 3 if index < 8 else 4
        rate(enrolment, "after", after)
    rate(enrolments[10], "before", 4)
    # Trust B's person in trust A's cohort: counted for trust B, never for trust A.
    other = EnrolmentFactory(
        person=ClinicianFactory(trust=trust_b),
        cohort=x,
        status="completed",
        baseline_relationship=4,
        baseline_outlook=3,
    )
    SurveyInvitationFactory(enrolment=other, relationship=4, outlook=3, answered_at=ANSWERED)
    SurveyInvitationFactory(
        enrolment=other, kind="twelve_months", relationship=4, outlook=3, answered_at=ANSWERED
    )
    rate(other, "before", 4)
    rate(other, "after", 4)
    late = EnrolmentFactory(
        person=ClinicianFactory(trust=trust_a),
        cohort=y,
        status="completed",
        baseline_relationship=1,
        baseline_outlook=1,
    )
    SurveyInvitationFactory(enrolment=late, relationship=4, outlook=3, answered_at=ANSWERED)
    return {"x": x, "y": y, "programme": programme}


def build(trust, **filters):
    board = dashboard.build(ReportFilter(trust=trust, **filters))
    add_charts(board)
    return board


def rows(table) -> dict[str, list[str]]:
    return {row.label: texts(row.cells) for row in table.rows}


# --- the relationship and the outlook ----------------------------------------------------------


def test_the_relationship_when_they_enrolled_at_completion_and_12_months_after(trust_a, world):
    table = build(trust_a, cohort=world["x"])["relationship_after"]
    assert table.columns == [
        "When they enrolled",
        "Share when they enrolled",
        "At completion",
        "Share at completion",
        "12 months after",
        "Share 12 months after",
    ]
    got = rows(table)
    # When they enrolled: 0, 6, 5, 1 of 12. The 1 is "<5"; 12 - 6 - 0 would give it away,
    # so the next smallest (5) is hidden too. At completion: 5, 5, 0, 0 of 10, all shown.
    # 12 months: 1, 2, 0, 0 of 3 — the total is small too.
    assert got["A strong partnership"] == ["0", "0%", "5", "50%", "<5", "*"]
    assert got["A partnership with areas of tension"] == ["6", "50%", "5", "50%", "<5", "*"]
    assert got["A relationship of tolerance with frequent tensions"] == [
        "*",
        "*",
        "0",
        "0%",
        "0",
        "*",
    ]
    assert got["Persistent and unresolved tensions"] == ["<5", "*", "0", "0%", "0", "*"]
    assert got["All answers"] == ["12", "100%", "10", "100%", "<5", "100%"]
    # Beside the paper: tension (areas of tension + tolerance) 6 + hidden -> hidden at
    # enrolment; (5 + 0) / 10 = 50% at completion.
    paper = rows(table.comparison)
    assert paper["A partnership with areas of tension, or tolerance with frequent tensions"] == [
        "*",
        "50%",
        "*",
        "74%",
    ]
    assert paper["Persistent and unresolved tensions"] == ["*", "0%", "*", "14%"]
    # The baseline column is the relationship table above, figure for figure.
    above = rows(build(trust_a, cohort=world["x"])["relationship"])
    assert [above[label][0] for label in got] == [cells[0] for cells in got.values()]


def test_the_outlook_beside_the_papers_73_percent(trust_a, world):
    got = rows(build(trust_a, cohort=world["x"])["outlook"])
    # When they enrolled: 7 better, 5 the same of 12 (58%, 42%). At completion: 6 better,
    # 4 the same of 10: the 4 is "<5" and 10 - 4 - 0 gives the 6, so it is hidden too.
    # 12 months: 3 better of 3, all small.
    assert got["Get better"] == ["7", "58%", "*", "*", "<5", "*"]
    assert got["Stay the same"] == ["5", "42%", "<5", "*", "0", "*"]
    assert got["Get worse"] == ["0", "0%", "0", "0%", "0", "*"]
    assert got["All answers"] == ["12", "100%", "10", "100%", "<5", "100%"]
    table = build(trust_a, cohort=world["x"])["outlook"]
    assert rows(table.comparison) == {
        "Expect it to stay the same or get worse": ["42%", "*", "*", "73%"]
    }


def test_the_filters_are_the_pages(trust_a, world):
    # Unfiltered, cohort Y's completer is in: at completion 5, 5, 0, 1 of 11 — the 1 is
    # "<5" and the smallest other (the first 5) is hidden with it.
    got = rows(build(trust_a)["relationship_after"])
    assert [cells[2] for cells in got.values()] == ["*", "5", "0", "<5", "11"]
    # Cohorts running from 2025: cohort Y alone — one answer, "<5", and no baseline of X's.
    got = rows(build(trust_a, since=D(2025, 1, 1))["relationship_after"])
    assert [cells[2] for cells in got.values()] == ["0", "0", "0", "<5", "<5"]
    assert got["All answers"][0] == "<5"  # Y's one baseline
    # Another programme: nothing at all, and no division by zero.
    empty = build(trust_a, programme=ProgrammeFactory())
    assert rows(empty["relationship_after"])["All answers"] == ["0", "100%"] * 3
    assert rows(empty["self_assessment"])["Leading with care"] == ["0", "0", "—", "0", "—", "—"]


def test_totals_of_the_same_people_are_hidden_together():
    # Sixteen answers at completion: four of each relationship answer, so every count is
    # "<5" and their total (16, all at the bound of "<5") would give them away: hidden. The
    # same sixteen people's outlook, 16 better, would show it again: hidden too.
    relationship = disclose({1: 4, 2: 4, 3: 4, 4: 4})
    assert relationship.total.text == "*"
    relationship, outlook = hide_totals_together(relationship, disclose({1: 16, 2: 0, 3: 0}))
    assert texts(relationship.cells.values()) == ["<5"] * 4 and relationship.total.text == "*"
    assert texts(outlook.cells.values()) == ["*", "0", "0"] and outlook.total.text == "*"
    # Totals all shown: nothing changes.
    both = [disclose({1: 6, 2: 7}), disclose({1: 13, 2: 0})]
    assert hide_totals_together(*both) == both


# --- the self-assessment ---------------------------------------------------------------------


def test_the_self_assessment_before_and_after_per_dimension(trust_a, world):
    board = build(trust_a, cohort=world["x"])
    summary = rows(board["self_assessment"])
    assert list(summary) == Dimension.labels
    # Ten rated both times (E11, before only, and trust B's person are not counted).
    # Before: 5 essential, 5 proficient -> none strong or exemplary (0%). After: 5
    # proficient, 5 strong -> 5 of 10, 50%: up 50 points.
    assert summary["Leading with care"] == ["10", "0", "0%", "5", "50%", "+50"]
    # Holding to account after: 8 strong and 2 exemplary; the 2 is "<5" and 10 - 2 gives
    # the 8, so both are hidden, and so is their sum.
    assert summary["Holding to account"] == ["10", "0", "0%", "*", "*", "*"]
    levels = rows(board["self_assessment_levels"])
    assert board["self_assessment_levels"].columns[:5] == [
        "Before: essential",
        "Before: proficient",
        "Before: strong",
        "Before: exemplary",
        "Before: all",
    ]
    assert levels["Leading with care"] == ["5", "5", "0", "0", "10", "0", "5", "5", "0", "10"]
    assert levels["Holding to account"] == ["5", "5", "0", "0", "10", "0", "0", "*", "<5", "10"]
    # The chart: a before and an after bar per dimension, none for a hidden share.
    chart = board["self_assessment"].chart
    assert chart["template"] == "reports/_grouped_bar_chart.svg.html"
    assert len(chart["groups"]) == 9
    holding = next(g for g in chart["groups"] if g["label"] == "Holding to account")
    assert [(b["series"], b["text"], b["hidden"]) for b in holding["bars"]] == [
        ("Before", "0%", False),
        ("After", "*", True),
    ]
    assert holding["bars"][1]["width"] == 0


def test_a_dimension_rated_by_fewer_than_five_shows_only_small_counts(trust_a, world):
    # Cohort Y's completer rates themselves before and after: one person, "<5" everywhere.
    late = world["y"].enrolments.get()
    rate(late, "before", 2)
    rate(late, "after", 3)
    got = rows(build(trust_a, cohort=world["y"])["self_assessment_levels"])
    assert got["Engaging the team"] == ["0", "<5", "0", "0", "<5", "0", "0", "<5", "0", "<5"]


# --- the page, the downloads, the refusal ---------------------------------------------------


def test_the_page_shows_the_section_with_its_charts(client, lead_a, world):
    sign_in(client, lead_a)
    response = client.get(f"/reports/trusts/{lead_a.trust_id}/", {"cohort": world["x"].pk})
    body = response.content.decode()
    assert "After the programme: follow-up answers and self-assessment" in body
    assert "will appear here" not in body
    for slug in NEW_TABLES:
        assert f'id="{slug}-caption"' in body
        assert f"/reports/trusts/{lead_a.trust_id}/{slug}.xlsx?cohort={world['x'].pk}" in body
    assert 'id="chart-self_assessment-title"' in body
    assert body.count('class="report-chart__bar report-chart__bar--2"') >= 9  # the afters
    assert "73%" in body and "the paper: 74%" in body


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_new_tables_download_as_shown(client, lead_a, world):
    sign_in(client, lead_a)
    base = f"/reports/trusts/{lead_a.trust_id}"
    lines = _csv(client.get(f"{base}/relationship_after.csv", {"cohort": world["x"].pk}))
    persistent = [line[1:] for line in lines if line and line[0].startswith("Persistent")]
    # The table's row, then the comparison with the paper, which follows it in the file.
    assert persistent == [["<5", "*", "0", "0%", "0", "*"], ["*", "0%", "*", "14%"]]
    assert ["This trust's participants beside the paper's managers"] in lines
    response = client.get(f"{base}/self_assessment_levels.xlsx", {"cohort": world["x"].pk})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = {row[0]: list(row[1:11]) for row in sheet.iter_rows(values_only=True) if row[0]}
    assert cells["Holding to account"] == [5, 5, 0, 0, 10, 0, 0, "*", "<5", 10]
    for slug in NEW_TABLES:
        for export_format in ("csv", "xlsx"):
            assert client.get(f"{base}/{slug}.{export_format}").status_code == 200


def test_another_trusts_new_tables_and_cohort_are_a_404(client, lead_a, trust_b):
    cohort_b = CohortFactory(host_trust=trust_b)
    sign_in(client, lead_a)
    own = f"/reports/trusts/{lead_a.trust_id}"
    for slug in NEW_TABLES:
        for export_format in ("csv", "xlsx"):
            name = f"{slug}.{export_format}"
            assert client.get(f"/reports/trusts/{trust_b.pk}/{name}").status_code == 404
            assert client.get(f"{own}/{name}", {"cohort": cohort_b.pk}).status_code == 404
