"""The regional and national comparison (/reports/regions/<id>/, /reports/national/): each
trust's figures against hand-computed ones, beside its region's and England's; suppression
that the region's and England's totals cannot undo (audited by linear programming against
every published sum at once); who sees which rows; the downloads; and a query count that
does not grow with the number of trusts."""

import csv
import datetime
import io
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from scipy.optimize import linprog

from coffee.models import CoffeeMatch, CoffeeRound
from pairing.models import ImprovementProject, Pairing, PairingScheme, ShadowingVisit
from people.access import AccessRole
from people.models import Region, RoleCategory
from reports import comparison, selectors
from reports import comparison_selectors as cs
from reports.disclosure import Hidden, disclose_linked, threshold
from reports.selectors import ReportFilter
from tests.audit.helpers import sign_in
from tests.factories import (
    AttendanceFactory,
    BoardSnapshotFactory,
    ClinicianFactory,
    CohortFactory,
    EnrolmentFactory,
    RoleAppointmentFactory,
    SessionFactory,
    TrustFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2025, 12, 1)


def london(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def y63():
    return Region.objects.get(code="Y63")  # the factories' region: trust A's and B's


@pytest.fixture
def london_region():
    return Region.objects.get(code="Y56")


@pytest.fixture
def trust_c(db):
    return TrustFactory(name="Easton Mental Health NHS Trust", ods_code="REA")


@pytest.fixture
def trust_d(london_region):
    return TrustFactory(name="Thameside Hospitals NHS Trust", ods_code="RTH", region=london_region)


FINISHED = D(2023, 6, 30)


def completed(person, cohort, *, finished=FINISHED):
    return EnrolmentFactory(
        person=person, cohort=cohort, status="completed",
        created_at=london(D(2023, 1, 10)), status_changed_at=london(finished, 17),
    )  # fmt: skip


def populate(trust_a, trust_d):
    """Trust A: 10 clinicians completed (5 in a leadership role from January 2024, held at 12
    and 24 months), 5 managers did not; one held session, 10 present and 5 absent; boards of
    14 with 5 clinicians (2024), then 12 with 6 (2025). Trust D (London): 6 clinicians
    completed, none in a leadership role, and 5 managers still enrolled; no marks, no board.
    Trust B and C: nothing."""
    now = timezone.now()
    cohort = CohortFactory(host_trust=trust_a, starts_on=D(2023, 1, 1), ends_on=D(2023, 6, 30))
    session = SessionFactory(cohort=cohort, starts_at=now - datetime.timedelta(days=9),
                             ends_at=now - datetime.timedelta(days=8))  # fmt: skip
    for index in range(10):
        person = ClinicianFactory(trust=trust_a)
        enrolment = completed(person, cohort)
        AttendanceFactory(session=session, enrolment=enrolment, mark="present")
        if index < 5:
            RoleAppointmentFactory(person=person, starts_on=D(2024, 1, 1),
                                   category=RoleCategory.CLINICAL_LEADERSHIP)  # fmt: skip
    for _ in range(5):
        enrolment = EnrolmentFactory(person=UserFactory(trust=trust_a), cohort=cohort,
                                     status="not_completed")  # fmt: skip
        AttendanceFactory(session=session, enrolment=enrolment, mark="absent")
    BoardSnapshotFactory(trust=trust_a, recorded_on=D(2024, 4, 1), members=14, clinician_members=5)
    BoardSnapshotFactory(trust=trust_a, recorded_on=D(2025, 4, 1), members=12, clinician_members=6)
    cohort_d = CohortFactory(host_trust=trust_d, starts_on=D(2023, 1, 1), ends_on=D(2023, 6, 30))
    for _ in range(6):
        completed(ClinicianFactory(trust=trust_d), cohort_d)
    for _ in range(5):
        EnrolmentFactory(person=UserFactory(trust=trust_d), cohort=cohort_d, status="enrolled")


def texts(c, unit_key):
    unit = c.units[unit_key]
    return [f.text for f in comparison._participation(c, unit)], [
        f.text for f in comparison._leadership(c, unit)
    ]


# --- the figures, by hand ---------------------------------------------------------------------


def test_each_trust_beside_its_region_and_england_by_hand(
    trust_a, trust_b, trust_c, trust_d, y63, london_region
):
    populate(trust_a, trust_d)
    c = comparison.build(cs.ComparisonFilter(), today=TODAY)
    # Participants, enrolments, completed, completion rate, marks, attendance rate;
    # clinicians, followed 12, led 12, share, followed 24, led 24, share, board share.
    assert texts(c, ("trust", trust_a.pk)) == (
        ["15", "15", "10", "67%", "15", "67%"],
        ["10", "10", "5", "50%", "10", "5", "50%", "50%"],  # the 2025 board: 6 of 12
    )
    assert texts(c, ("trust", trust_b.pk)) == (
        ["0", "0", "0", "—", "0", "—"], ["0", "0", "0", "—", "0", "0", "—", "—"],
    )  # fmt: skip
    assert texts(c, ("region", y63.pk)) == texts(c, ("trust", trust_a.pk))
    assert texts(c, ("trust", trust_d.pk)) == (
        ["11", "11", "6", "100%", "0", "—"], ["6", "6", "0", "0%", "6", "0", "0%", "—"],
    )  # fmt: skip
    assert texts(c, ("region", london_region.pk)) == texts(c, ("trust", trust_d.pk))
    assert texts(c, comparison.NATIONAL) == (
        ["26", "26", "16", "76%", "15", "67%"],  # 16 of the 21 decided
        ["16", "16", "5", "31%", "16", "5", "31%", "50%"],
    )
    # A year earlier nobody had reached the 24-month day.
    earlier = comparison.build(cs.ComparisonFilter(), today=D(2025, 6, 29))
    assert texts(earlier, ("trust", trust_a.pk))[1][4:7] == ["0", "0", "—"]


def test_a_trusts_row_is_its_dashboards_figures(trust_a, trust_d):
    populate(trust_a, trust_d)
    f = ReportFilter(trust=trust_a)
    dashboard = selectors.enrolment_counts(f)
    leadership = selectors.leadership_counts(f, today=TODAY)
    row = comparison.build(cs.ComparisonFilter(), today=TODAY).units[("trust", trust_a.pk)]
    assert row.counts["enrolments"] == sum(dashboard["statuses"].values())
    assert row.counts["participants"] == sum(dashboard["groups"].values())
    assert row.counts["completed"] == dashboard["statuses"]["completed"]
    assert {k: row.counts[k] for k in ("marks", "attended")} == selectors.attendance_counts(f)
    assert row.counts["clinicians"] == leadership["completed"]
    for m in (12, 24):
        assert row.counts[f"followed_{m}"] == leadership[f"followed_{m}"]
        assert row.counts[f"led_{m}"] == leadership[f"led_{m}"]


def test_filters_narrow_every_trust_alike(trust_a, trust_d):
    populate(trust_a, trust_d)
    other = CohortFactory(host_trust=trust_d, starts_on=D(2025, 1, 1), ends_on=D(2025, 6, 1))
    for _ in range(7):
        EnrolmentFactory(person=UserFactory(trust=trust_d), cohort=other, status="enrolled")
    by_programme = comparison.build(cs.ComparisonFilter(programme=other.programme), today=TODAY)
    assert by_programme.units[("trust", trust_d.pk)].counts["enrolments"] == 7
    assert by_programme.units[("trust", trust_a.pk)].counts["enrolments"] == 0
    in_2025 = comparison.build(cs.ComparisonFilter(since=D(2025, 1, 1)), today=TODAY)
    assert in_2025.units[comparison.NATIONAL].counts["enrolments"] == 7
    # The board: the latest snapshot in the dates.
    in_2024 = comparison.build(cs.ComparisonFilter(until=D(2024, 12, 31)), today=TODAY)
    assert in_2024.units[("trust", trust_a.pk)].board == (14, 5)


# --- suppression that the totals cannot undo --------------------------------------------------


def audit(counts: dict, sets, figures) -> list:
    """The hidden cells a reader could pin down from everything published at once: every
    set's visible cells and total, and what "<5" and "*" say (1 to threshold-1; at least 1,
    or 0 for a hidden zero — disclosure's own model). For each hidden cell, its least and
    greatest value over every solution (linear programming, exact for these sums); pinned
    when they meet."""
    hidden = [key for key, f in figures.items() if f.hidden]
    index = {key: i for i, key in enumerate(hidden)}
    rows, rhs = [], []
    for parts, total in sets:
        row, value = [0.0] * len(hidden), 0.0
        for key in parts:
            if key in index:
                row[index[key]] += 1
            else:
                value -= counts[key]
        if total in index:
            row[index[total]] -= 1
        else:
            value += counts[total]
        if any(row):
            rows.append(row)
            rhs.append(value)
    bounds = []
    for key in hidden:
        if figures[key].hidden is Hidden.SMALL:
            bounds.append((1, threshold() - 1))
        else:
            bounds.append((0 if counts[key] == 0 else 1, None))
    found = []
    for key, i in index.items():
        ends = []
        for sign in (1, -1):
            objective = [0.0] * len(hidden)
            objective[i] = sign
            result = linprog(objective, A_eq=rows or None, b_eq=rhs or None, bounds=bounds,
                             method="highs")  # fmt: skip
            ends.append(None if result.status == 3 else sign * result.fun)
        low, high = ends
        if high is not None and high - low < 0.5:
            found.append(key)
    return found


def linked_table(rng, regions=3):
    """A comparison's structure with random counts: trusts in regions, each row's two parts
    adding up to its total, each column's trusts to their region and the regions to England."""
    counts, sets, by_region = {}, [], {}
    for r in range(regions):
        trusts = [f"t{r}.{i}" for i in range(rng.randint(1, 4))]
        by_region[f"r{r}"] = trusts
        for t in trusts:
            a = rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14])
            b = rng.choice([0, 1, 2, 3, 4, 5, 7, 12, 30])
            counts |= {(t, "a"): a, (t, "b"): b, (t, "n"): a + b}
    units = [*(t for ts in by_region.values() for t in ts), *by_region, "E"]
    for measure in ("a", "b", "n"):
        for region, trusts in by_region.items():
            counts[(region, measure)] = sum(counts[(t, measure)] for t in trusts)
            sets.append(([(t, measure) for t in trusts], (region, measure)))
        counts[("E", measure)] = sum(counts[(r, measure)] for r in by_region)
        sets.append(([(r, measure) for r in by_region], ("E", measure)))
    sets += [([(u, "a"), (u, "b")], (u, "n")) for u in units]
    return counts, sets


def test_the_region_total_does_not_give_a_small_trust_away(trust_a, trust_b, trust_c, y63):
    populate(trust_a, TrustFactory(region=Region.objects.get(code="Y56")))
    for _ in range(2):
        EnrolmentFactory(person=ClinicianFactory(trust=trust_b),
                         cohort=CohortFactory(host_trust=trust_b), status="enrolled")  # fmt: skip
    c = comparison.build(cs.ComparisonFilter(), today=TODAY)
    participants = {
        key: c.figures[(key, "participants")].text
        for key in (("trust", trust_a.pk), ("trust", trust_b.pk), ("trust", trust_c.pk),
                    ("region", y63.pk))
    }  # fmt: skip
    # 17 in the region, 0 at C: B's 2 would be 17 - 15, so A's 15 is hidden too.
    assert list(participants.values()) == ["*", "<5", "0", "17"]
    counts = {key: c.units[key[0]].counts[key[1]] for key in c.figures}
    assert audit(counts, _sets(c), c.figures) == []


def _sets(c):
    """The sets comparison.build disclosed, rebuilt from its units."""
    sets = []
    for key in c.units:
        sets += [([(key, p) for p in parts], (key, t)) for parts, t in comparison.ROW_SETS]
    regions = [u.key for u in c.regions()]
    for count in comparison.COUNTS:
        for region in regions:
            members = [u.key for u in c.trusts_of(region)]
            sets.append(([(k, count) for k in members], (region, count)))
        sets.append(([(k, count) for k in regions], (comparison.NATIONAL, count)))
    return sets


def test_no_hidden_count_can_be_worked_out_from_all_the_sums_at_once():
    """Random tables of trusts in regions: whatever is hidden, no combination of the rows,
    the regions' totals and England's pins a hidden count down."""
    rng = random.Random(14)
    for _ in range(80):
        counts, sets = linked_table(rng)
        figures = disclose_linked(counts, sets)
        assert audit(counts, sets, figures) == [], counts
        for key, value in counts.items():
            if 0 < value < threshold():
                assert figures[key].hidden  # every small count is hidden
            if not figures[key].hidden:
                assert figures[key].value == value


# --- who sees which rows ----------------------------------------------------------------------


def region_url(region):
    return f"/reports/regions/{region.pk}/"


def rows_of(response, table="participation"):
    return [row.label for row in response.context["tables"][table].rows]


def test_a_regional_lead_compares_their_regions_trusts(
    client, trust_a, trust_b, trust_d, y63, london_region
):
    populate(trust_a, trust_d)
    lead = UserFactory(trust=trust_a, roles=[AccessRole.REGIONAL_LEAD])
    sign_in(client, lead)
    response = client.get(region_url(y63))
    assert response.status_code == 200 and "private" in response["Cache-Control"]
    assert rows_of(response) == [
        trust_a.name,
        trust_b.name,
        f"{y63.name} (all its trusts)",
        "England (all trusts)",
    ]
    body = response.content.decode()
    assert "<svg" in body and trust_d.name not in body
    assert client.get(region_url(london_region)).status_code == 404  # another region
    assert client.get(f"{region_url(london_region)}participation.csv").status_code == 404
    assert client.get("/reports/regions/99999999999999999999/").status_code == 404
    assert client.get("/reports/national/").status_code == 403
    assert client.get("/reports/national/leadership.xlsx").status_code == 403
    index = client.get("/reports/").content.decode()
    assert region_url(y63) in index and "/reports/national/" not in index


def test_a_reporting_lead_sees_their_own_row_beside_the_region_and_england(
    client, trust_a, trust_b, trust_d, y63, london_region
):
    populate(trust_a, trust_d)
    lead = UserFactory(trust=trust_a, roles=[AccessRole.TRUST_REPORTING_LEAD])
    sign_in(client, lead)
    assert region_url(y63) in client.get(f"/reports/trusts/{trust_a.pk}/").content.decode()
    response = client.get(region_url(y63))
    assert rows_of(response, "leadership") == [
        trust_a.name,
        f"{y63.name} (all its trusts)",
        "England (all trusts)",
    ]
    assert trust_b.name not in response.content.decode()
    assert client.get(region_url(london_region)).status_code == 404
    assert client.get("/reports/national/").status_code == 403


def test_a_national_lead_sees_every_trust_region_by_region(
    client, trust_a, trust_b, trust_d, y63, london_region, superuser
):
    national = UserFactory(trust=None, roles=[AccessRole.NATIONAL_LEAD])
    for person in (national, superuser):
        sign_in(client, person)
        response = client.get("/reports/national/")
        assert response.status_code == 200
        assert rows_of(response) == [
            trust_d.name, f"{london_region.name} (all its trusts)",
            trust_a.name, trust_b.name, f"{y63.name} (all its trusts)",
            "England (all trusts)",
        ]  # fmt: skip
        assert client.get(region_url(london_region)).status_code == 200
        index = client.get("/reports/").content.decode()
        assert "/reports/national/" in index


def test_others_are_refused_and_visitors_sent_to_sign_in(client, trust_a, y63):
    assert "/accounts/login/" in client.get(region_url(y63)).url
    assert "/accounts/login/" in client.get("/reports/national/").url
    for roles in ([AccessRole.PARTICIPANT], [AccessRole.PROGRAMME_ADMINISTRATOR]):
        sign_in(client, UserFactory(trust=trust_a, roles=roles))
        assert client.get(region_url(y63)).status_code == 403
        assert client.get("/reports/national/").status_code == 403
        client.logout()


def test_a_bad_filter_is_an_error_on_the_form_and_a_download_goes_back_to_it(client, trust_a, y63):
    sign_in(client, UserFactory(trust=None, roles=[AccessRole.NATIONAL_LEAD]))
    response = client.get("/reports/national/", {"since": "2025-06-01", "until": "2025-05-01"})
    assert response.status_code == 200
    assert "on or after the start date" in response.content.decode()
    assert "tables" not in response.context
    download = client.get(f"{region_url(y63)}participation.csv", {"since": "nope"})
    assert download.status_code == 302 and download.url.startswith(region_url(y63))


# --- downloads --------------------------------------------------------------------------------


def test_each_table_downloads_as_shown_suppressed_and_formula_safe(client, trust_a, y63):
    trust = TrustFactory(name='=HYPERLINK("http://evil.example")', ods_code="REV")
    cohort = CohortFactory(host_trust=trust)
    for _ in range(3):
        EnrolmentFactory(person=ClinicianFactory(trust=trust), cohort=cohort)
    sign_in(client, UserFactory(trust=trust_a, roles=[AccessRole.REGIONAL_LEAD]))
    rows = list(csv.reader(io.StringIO(
        client.get(f"{region_url(y63)}participation.csv").content.decode("utf-8-sig")
    )))  # fmt: skip
    values = {row[0]: row[1:] for row in rows if row}
    evil = next(label for label in values if "HYPERLINK" in label)
    assert not evil.startswith("=")
    assert values[evil][:2] == ["<5", "<5"]  # 3 participants, 3 enrolments
    assert values[f"{y63.name} (all its trusts)"][:2] == ["<5", "<5"]
    response = client.get(f"{region_url(y63)}leadership.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert not any(
        isinstance(value, str) and value.startswith(("=", "+", "@"))
        for row in cells
        for value in row
    )
    assert client.get(f"{region_url(y63)}nosuch.csv").status_code == 404
    assert client.get(f"{region_url(y63)}participation.pdf").status_code == 404


# --- the relationship when they enrolled -----------------------------------------------------


def _relationship_texts(c, unit_key):
    return [f.text for f in comparison._relationship(c, c.units[unit_key])]


def test_the_baseline_relationship_per_trust_is_its_dashboards_beside_the_paper(
    trust_a, trust_d, y63
):
    """Trust A: 12 answers — 2 strong partnership, 5 areas of tension, 3 frequent tensions,
    2 persistent — and one withdrawn (not counted); trust D: 6 areas of tension and 1
    persistent. The shares are of the answers: tensions (areas of + frequent) and
    persistent, as the paper's 74% and 14% are."""
    cohort = CohortFactory(host_trust=trust_a)
    for answer, n in ((1, 2), (2, 5), (3, 3), (4, 2)):
        for _ in range(n):
            EnrolmentFactory(person=UserFactory(trust=trust_a), cohort=cohort,
                             baseline_relationship=answer)  # fmt: skip
    EnrolmentFactory(person=UserFactory(trust=trust_a), cohort=cohort, status="withdrawn",
                     baseline_relationship=4)  # fmt: skip
    cohort_d = CohortFactory(host_trust=trust_d)
    for answer in (2, 2, 2, 2, 2, 2, 4):
        EnrolmentFactory(person=UserFactory(trust=trust_d), cohort=cohort_d,
                         baseline_relationship=answer)  # fmt: skip
    c = comparison.build(cs.ComparisonFilter(), today=TODAY)
    dashboard = selectors.enrolment_counts(ReportFilter(trust=trust_a))["relationship"]
    row = c.units[("trust", trust_a.pk)].counts
    assert {a: row[f"relationship_{a}"] for a in (1, 2, 3, 4)} == dashboard
    # Trust D's one persistent answer is "<5", and its 7 answers would give it away with the
    # 6 shown, so the 6 is hidden ("*"); England's 11 (A's 5 + D's 6) would then give the 6
    # back with A's 5 shown, so A's 5 is hidden too; and the all-at-once check of every sum
    # hides D's 0 as well (it hides more than it strictly must, README). The shares made
    # from hidden counts are hidden.
    assert _relationship_texts(c, ("trust", trust_a.pk)) == ["<5", "*", "<5", "<5", "12", "*", "*"]
    assert _relationship_texts(c, ("trust", trust_d.pk)) == ["*", "*", "0", "<5", "7", "*", "*"]
    assert _relationship_texts(c, ("region", trust_d.region_id)) == _relationship_texts(
        c, ("trust", trust_d.pk)
    )
    assert _relationship_texts(c, comparison.NATIONAL) == [
        "<5", "11", "<5", "<5", "19", "*", "*"
    ]  # fmt: skip
    headings = comparison.tables(c, [c.units[comparison.NATIONAL]])["relationship"].columns
    assert "With tensions (the paper: 74%)" in headings
    assert "Persistent tensions (the paper: 14%)" in headings


def test_with_nothing_small_the_shares_are_shown_beside_the_papers(trust_a):
    cohort = CohortFactory(host_trust=trust_a)
    for answer, n in ((1, 10), (2, 6), (3, 5), (4, 5)):
        for _ in range(n):
            EnrolmentFactory(person=UserFactory(trust=trust_a), cohort=cohort,
                             baseline_relationship=answer)  # fmt: skip
    c = comparison.build(cs.ComparisonFilter(), today=TODAY)
    # Tensions: 6 + 5 of 26 (42%, the paper's 74%); persistent: 5 of 26 (19%, its 14%).
    expected = ["10", "6", "5", "5", "26", "42%", "19%"]
    assert _relationship_texts(c, ("trust", trust_a.pk)) == expected
    assert _relationship_texts(c, comparison.NATIONAL) == expected


def test_the_relationship_table_downloads_and_is_on_the_page(client, trust_a, trust_d, y63):
    populate(trust_a, trust_d)
    sign_in(client, UserFactory(trust=None, roles=[AccessRole.NATIONAL_LEAD]))
    page = client.get("/reports/national/").content.decode()
    assert "How participants saw the clinician and manager relationship when they enrolled" in page
    rows = list(csv.reader(io.StringIO(
        client.get("/reports/national/relationship.csv").content.decode("utf-8-sig")
    )))  # fmt: skip
    heading = next(r for r in rows if r and r[0] == "Trust")
    assert heading[:2] == ["Trust", "A strong partnership"]
    assert any(r and r[0] == "England (all trusts)" for r in rows)


# --- queries ----------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_the_number_of_trusts(client, trust_a, trust_d):
    """The same for 2 trusts as for 8 (and 14). The national page's 20: the session, the
    person, their access grants, their authenticator (two-factor middleware); the
    comparison's eight (the trusts with their regions, enrolments, attendance, leadership,
    boards, pairs, coffee rounds, coffee matches) and the answers' wording for the
    relationship table; the form's programmes; the
    site and its navigation (2); Wagtail's user bar for a
    staff member (their permissions 2, their profile 2). A region's page adds two: the region,
    and which of its trusts the person may see."""
    populate(trust_a, trust_d)
    sign_in(client, UserFactory(trust=None, roles=[AccessRole.NATIONAL_LEAD]))
    counts = []
    for url in ("/reports/national/", region_url(trust_a.region)):
        client.get(url)  # warm the caches the header's navigation keeps
        per_size = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            per_size.append(len(captured))
            for _ in range(3):
                populate(TrustFactory(), TrustFactory(region=trust_d.region))
        counts.append(per_size)
    assert counts == [[20, 20], [22, 22]], counts


# --- pairs, shadowing, projects and Tandem coffee --------------------------------------------


def _pair(cohort=None, *, clinician, manager, status="active", scheme=None, started_on=None):
    for person in (clinician, manager):
        if cohort is not None:
            EnrolmentFactory(person=person, cohort=cohort)
    return Pairing.objects.create(
        cohort=cohort, scheme=scheme, clinician=clinician, manager=manager, status=status,
        source="matched", started_on=started_on,
    )  # fmt: skip


def _visit(pair, hours, *, confirmed=True):
    ShadowingVisit.objects.create(
        pairing=pair, shadower=pair.manager, logged_by=pair.manager, visited_on=D(2024, 3, 1),
        hours=hours, setting="clinic", status="confirmed" if confirmed else "logged",
        confirmed_by=pair.clinician if confirmed else None,
        confirmed_at=timezone.now() if confirmed else None,
    )  # fmt: skip


def _coffee(trust, start, *, matches, met):
    round_ = CoffeeRound.objects.create(trust=trust, period_start=start, frequency="monthly",
                                        ran_at=timezone.now())  # fmt: skip
    for index in range(matches):
        CoffeeMatch.objects.create(round=round_, met_at=timezone.now() if index < met else None)


def populate_pairs(trust_a, trust_b, trust_d):
    """In trust A's 2023 cohort: 6 pairs of trust A's people (5 active, 1 ended), with 3.5
    confirmed hours (and 2 not confirmed) and 5 projects, 2 presented; one pair of an A
    clinician and a D manager who took part for D (ended, 1.5 hours, a project), which counts
    for both; one pair of trust B's people. A trust-wide scheme pair of trust A's, begun in
    2025 (proposed). Coffee: trust A 2 rounds in 2024, 7 matches, 5 met; trust D 1 round of
    6 matches, all met."""
    cohort = CohortFactory(host_trust=trust_a, starts_on=D(2023, 1, 1), ends_on=D(2023, 6, 30))
    for index in range(6):
        pair = _pair(cohort, clinician=ClinicianFactory(trust=trust_a),
                     manager=UserFactory(trust=trust_a),
                     status="active" if index < 5 else "ended")  # fmt: skip
        if index == 0:
            _visit(pair, Decimal("3.5"))
            _visit(pair, 2, confirmed=False)
        if index < 5:
            ImprovementProject.objects.create(
                pairing=pair, title="Discharge", status="presented" if index < 2 else "idea",
                presented_on=D(2024, 6, 1) if index < 2 else None,
            )  # fmt: skip
    across = _pair(cohort, clinician=ClinicianFactory(trust=trust_a),
                   manager=UserFactory(trust=trust_d), status="ended")  # fmt: skip
    _visit(across, Decimal("1.5"))
    ImprovementProject.objects.create(pairing=across, title="Rotas")
    _pair(cohort, clinician=ClinicianFactory(trust=trust_b), manager=UserFactory(trust=trust_b))
    scheme = PairingScheme.objects.create(trust=trust_a, name="Trust-wide", starts_on=D(2025, 1, 1))
    _pair(scheme=scheme, clinician=ClinicianFactory(trust=trust_a),
          manager=UserFactory(trust=trust_a), status="proposed",
          started_on=D(2025, 1, 1))  # fmt: skip
    _coffee(trust_a, D(2024, 3, 1), matches=4, met=3)
    _coffee(trust_a, D(2024, 4, 1), matches=3, met=2)
    _coffee(trust_d, D(2024, 3, 1), matches=6, met=6)
    return cohort


def _activity_texts(c, unit_key):
    return [f.text for f in comparison._activity(c, c.units[unit_key])]


def test_pairs_and_coffee_per_trust_by_hand_and_as_the_dashboard_counts_them(
    settings, trust_a, trust_b, trust_d, y63
):
    settings.REPORTS_SUPPRESSION_THRESHOLD = 1  # nothing small: every figure shown
    cohort = populate_pairs(trust_a, trust_b, trust_d)
    c = comparison.build(cs.ComparisonFilter(), today=TODAY)
    # Pairs, active, ended, hours, projects, presented; coffee rounds, matches, met, share.
    assert _activity_texts(c, ("trust", trust_a.pk)) == [
        "8", "5", "2", "5.0", "6", "2", "2", "7", "5", "71%",
    ]  # fmt: skip
    assert _activity_texts(c, ("trust", trust_d.pk)) == [
        "1", "0", "1", "1.5", "1", "0", "1", "6", "6", "100%",
    ]  # fmt: skip
    assert _activity_texts(c, ("trust", trust_b.pk))[:6] == ["1", "1", "0", "0.0", "0", "0"]
    # The region (A and B) and England: the pair across A and D counts for each.
    assert _activity_texts(c, ("region", y63.pk))[:6] == ["9", "6", "2", "5.0", "6", "2"]
    assert _activity_texts(c, comparison.NATIONAL) == [
        "10", "6", "3", "6.5", "7", "2", "3", "13", "11", "85%",
    ]  # fmt: skip
    # Each trust's row is what its dashboard counts.
    for trust in (trust_a, trust_b, trust_d):
        for f in (
            cs.ComparisonFilter(),
            cs.ComparisonFilter(programme=cohort.programme),
            cs.ComparisonFilter(until=D(2024, 12, 31)),
        ):
            dashboard_filter = ReportFilter(trust=trust, programme=f.programme, until=f.until)
            dashboard = selectors.pairing_counts(dashboard_filter)
            unit = comparison.build(f, today=TODAY).units[("trust", trust.pk)]
            by_status = {s: unit.counts[f"pairs_{s}"] for s in cs.PAIR_STATUSES}
            assert {s: n for s, n in by_status.items() if n} == dashboard["by_status"]
            assert unit.hours == dashboard["confirmed_hours"]
            assert unit.counts["projects"] == sum(dashboard["projects"].values())
            assert unit.counts["presented"] == dashboard["projects"].get("presented", 0)
            coffee = selectors.coffee_counts(dashboard_filter)
            if coffee is not None:
                assert [unit.counts[f"coffee_{k}"] for k in ("rounds", "matches", "met")] == [
                    coffee["rounds"], coffee["matches"], coffee["met"]
                ]  # fmt: skip


def test_a_programme_leaves_scheme_pairs_and_coffee_out(settings, trust_a, trust_b, trust_d):
    settings.REPORTS_SUPPRESSION_THRESHOLD = 1
    cohort = populate_pairs(trust_a, trust_b, trust_d)
    c = comparison.build(cs.ComparisonFilter(programme=cohort.programme), today=TODAY)
    assert _activity_texts(c, ("trust", trust_a.pk)) == [
        "7", "5", "2", "5.0", "6", "2", "—", "—", "—", "—",
    ]  # fmt: skip
    notes = comparison.tables(c, [c.units[comparison.NATIONAL]])["activity"].notes
    assert any("choose all programmes" in note for note in notes)


def test_small_pair_counts_are_hidden_with_the_hours_behind_them(trust_a, trust_b, trust_d, y63):
    populate_pairs(trust_a, trust_b, trust_d)
    c = comparison.build(cs.ComparisonFilter(), today=TODAY)
    # Trust D's one pair is "<5", so its hours are hidden behind it; its ended pair ("<5")
    # and 0 active with a total of 1 would give themselves away, so the total's shown parts
    # are hidden too — whatever the sweep hides, no hidden cell shows a number.
    d = _activity_texts(c, ("trust", trust_d.pk))
    assert d[0] == "<5" and d[3] == "*"
    b = _activity_texts(c, ("trust", trust_b.pk))
    assert b[0] == "<5" and b[3] == "*"
    for unit in c.units.values():
        for figure in comparison._activity(c, unit):
            if figure.hidden:
                assert figure.value is None and figure.text in ("<5", "*")


def test_the_activity_table_is_on_the_page_and_downloads(client, trust_a, trust_b, trust_d):
    populate_pairs(trust_a, trust_b, trust_d)
    sign_in(client, UserFactory(trust=None, roles=[AccessRole.NATIONAL_LEAD]))
    page = client.get("/reports/national/").content.decode()
    assert "Pairs, shadowing, improvement projects and Tandem coffee" in page
    rows = list(csv.reader(io.StringIO(
        client.get("/reports/national/activity.csv").content.decode("utf-8-sig")
    )))  # fmt: skip
    heading = next(r for r in rows if r and r[0] == "Trust")
    assert heading[1:5] == ["Pairs", "Pairs active now", "Pairs ended", "Confirmed shadowing hours"]
    england = next(r for r in rows if r and r[0] == "England (all trusts)")
    assert england[1] == "10" and england[4] == "6.5"


def test_a_member_who_withdrew_still_counts_the_pair_for_their_trust(trust_a, trust_d):
    cohort = CohortFactory(host_trust=trust_a)
    manager = UserFactory(trust=trust_d)
    EnrolmentFactory(person=manager, cohort=cohort, status="withdrawn")
    doctor = ClinicianFactory(trust=trust_a)
    EnrolmentFactory(person=doctor, cohort=cohort)
    Pairing.objects.create(cohort=cohort, clinician=doctor, manager=manager, status="ended",
                           source="matched")  # fmt: skip
    c = comparison.build(cs.ComparisonFilter(), today=TODAY)
    for trust in (trust_a, trust_d):
        dashboard = selectors.pairing_counts(ReportFilter(trust=trust))["by_status"]
        assert dashboard == {"ended": 1}
        assert c.units[("trust", trust.pk)].counts["pairs_ended"] == 1
