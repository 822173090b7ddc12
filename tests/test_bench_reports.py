"""The reports benchmarks at national scale (bench/benchmarks/reports_scale.py): opt-in, skipped
plainly without PostgreSQL, their stand-in comparisons the dashboard's own figures per trust,
and — on PostgreSQL — a whole run at a tiny scale, so they cannot rot unnoticed."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils.module_loading import autodiscover_modules

from bench import runner as bench
from bench.benchmarks import reports_scale
from people.models import AccessGrant, Trust
from reports import selectors
from reports.selectors import ReportFilter

SCALE_BENCHMARKS = {
    "reports-scale-trust-queries",
    "reports-scale-comparisons",
    "reports-scale-dashboard-page",
    "reports-scale-xlsx",
}
TINY = "0.003"


@pytest.fixture(autouse=True)
def _discovered():
    autodiscover_modules("benchmarks")


def test_they_are_opt_in_run_by_their_group_and_listed_last():
    everything = bench.registered()
    scale = [b for b in everything if b.name in SCALE_BENCHMARKS]
    assert {b.name for b in scale} == SCALE_BENCHMARKS
    assert all(b.opt_in and b.group == "reports" for b in scale)
    assert everything[-len(scale) :] == scale  # after every other benchmark
    assert not SCALE_BENCHMARKS & {b.name for b in bench.select(None)}
    assert {b.name for b in bench.select("reports")} == SCALE_BENCHMARKS
    assert {b.name for b in bench.select("reports-scale-xlsx")} == {"reports-scale-xlsx"}


def test_list_names_them_as_opt_in():
    out = StringIO()
    call_command("bench", "--list", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "reports-scale-xlsx" in line)
    assert "opt-in" in line


def test_every_dashboard_measure_is_timed_and_no_queryset_builder():
    found = reports_scale.trust_measures()
    assert {
        "enrolment_counts",
        "attendance_counts",
        "pairing_counts",
        "coffee_counts",
        "leadership_counts",
        "board_snapshots",
    } <= set(found)
    assert not {"cohorts", "enrolments", "pairings"} & set(found)


@pytest.mark.django_db
def test_without_postgres_they_skip_saying_why(monkeypatch):
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL they run: test_they_run_at_a_tiny_scale")
    monkeypatch.setenv(reports_scale.SCALE_ENV, TINY)
    results = bench.run_benchmarks(bench.select("reports"), repeat=1, warmup=0)
    assert [r.skipped for r in results] == [reports_scale.NEEDS_POSTGRES] * len(SCALE_BENCHMARKS)
    assert "needs PostgreSQL" in reports_scale.NEEDS_POSTGRES
    assert not Trust.objects.filter(ods_code__startswith="ZS").exists()  # nothing seeded


@pytest.mark.django_db
def test_the_stand_in_comparisons_are_the_dashboards_figures_for_each_trust():
    """The all-trust GROUP BY forms give, trust by trust, what the dashboard's selectors
    give for that trust alone: the comparison times the same figures."""
    today = datetime.date(2026, 6, 15)
    call_command("seed_scale", "--scale", TINY, "--today", today.isoformat(), stdout=StringIO())
    forms = {name: fn() for name, fn in reports_scale.all_trust_forms(today).items()}
    trusts = list(Trust.objects.filter(ods_code__startswith="ZS"))
    assert len(trusts) >= 3
    checked = 0
    for trust in trusts:
        f = ReportFilter(trust=trust)
        counts = selectors.enrolment_counts(f)

        def rows(name, trust_key="trust_id", trust=trust):
            return [r for r in forms[name] if r[trust_key] == trust.pk]

        groups = {
            r["professional_group"]: r["people"] for r in rows("participants-by-trust-and-group")
        }
        assert {g: n for g, n in counts["groups"].items() if n} == groups
        statuses = {r["status"]: r["n"] for r in rows("enrolments-by-trust-and-status")}
        assert {s: n for s, n in counts["statuses"].items() if n} == statuses
        answers = {r["baseline_relationship"]: r["n"] for r in rows("relationship-by-trust")}
        assert {a: n for a, n in counts["relationship"].items() if n} == answers

        attendance = selectors.attendance_counts(f)
        [marks] = rows("attendance-rate-by-trust", "enrolment__trust_id") or [
            {"marks": 0, "attended": 0}
        ]
        assert (marks["marks"], marks["attended"]) == (attendance["marks"], attendance["attended"])

        leadership = selectors.leadership_counts(f, today=today)
        [led] = rows("leadership-moves-by-trust") or [dict.fromkeys(leadership, 0)]
        assert {k: led[k] for k in leadership} == leadership
        checked += bool(leadership["completed"])
    assert checked, "no trust had completions to compare"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_they_run_at_a_tiny_scale(monkeypatch):
    monkeypatch.setenv(reports_scale.SCALE_ENV, TINY)
    monkeypatch.delenv(reports_scale.DATABASE_ENV, raising=False)
    results = {
        r.benchmark.name: r
        for r in bench.run_benchmarks(bench.select("reports"), repeat=1, warmup=0)
    }
    assert set(results) == SCALE_BENCHMARKS
    for result in results.values():
        assert result.ok, result.traceback
        assert any(note.startswith("data: seed_scale at scale 0.003") for note in result.notes)

    queries = results["reports-scale-trust-queries"]
    labels = {m.label for m in queries.measurements}
    assert labels == {reports_scale.REFERENCE, *reports_scale.trust_measures()}
    assert any("per-trust measures:" in note and "within 0.5x" in note for note in queries.notes)

    comparisons = results["reports-scale-comparisons"]
    found, _ = reports_scale.comparison_selectors()
    expected = set(found) or set(reports_scale.all_trust_forms())
    assert {m.label for m in comparisons.measurements} == {reports_scale.REFERENCE, *expected}

    page = results["reports-scale-dashboard-page"]
    by_label = {m.label: m for m in page.measurements}
    assert by_label["largest-trust"].queries == by_label["smallest-trust"].queries
    assert any("independent of size: met" in note for note in page.notes)

    xlsx = results["reports-scale-xlsx"]
    assert any(note.startswith("XLSX sizes: participants") for note in xlsx.notes)
    # What the benchmarks made (reporting leads) was rolled back; the seeded data stays.
    assert Trust.objects.filter(ods_code__startswith="ZS").exists()
    assert not AccessGrant.objects.filter(trust__ods_code__startswith="ZS").exists()
