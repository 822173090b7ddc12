"""The benchmark registry, runner and `manage.py bench` (what `make bench` runs).

Inside pytest the database is already pytest's test database, so most tests replace the
command's throwaway-database setup with "use the current one"; the subprocess tests at the end
run the real command, which creates and destroys its own.
"""

import contextlib
import json
import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import autodiscover_modules

from bench import reporting
from bench import runner as bench
from people.models import Trust
from tests.factories import TrustFactory

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def temporary_benchmarks():
    """Register benchmarks for one test only: ``temporary_benchmarks(name, group)(fn)``."""
    names = []

    def register(name, group="selftest", **kwargs):
        names.append(name)
        return bench.benchmark(name, group=group, **kwargs)

    yield register
    for name in names:
        bench.unregister(name)


@pytest.fixture
def current_database(monkeypatch):
    """Make the command run against pytest's test database; records that it asked for one."""
    calls = []

    def use_current_database(*args, **kwargs):
        calls.append(args)
        return contextlib.nullcontext(connection.settings_dict["NAME"])

    monkeypatch.setattr(bench, "throwaway_test_database", use_current_database)
    return calls


def run_command(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("bench", *args, stdout=out, stderr=err)
    except CommandError as error:
        error.stdout, error.stderr = out.getvalue(), err.getvalue()
        raise
    return out.getvalue(), err.getvalue()


def table_rows(output):
    """{benchmark: {column: cell}} from the command's table (names without spaces)."""
    lines = output.splitlines()
    header_index = next(i for i, line in enumerate(lines) if line.startswith("benchmark "))
    rows = {}
    for line in lines[header_index + 2 :]:
        if not line.strip() or line.startswith("Results written"):
            break
        cells = line.split()
        assert len(cells) == len(reporting.TABLE_COLUMNS), line
        rows[cells[0]] = dict(zip(reporting.TABLE_COLUMNS, cells, strict=True))
    return rows


def queries_for(url):
    client = Client()
    client.get(url)  # warm caches, as the runner's warm-up does
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


# --- Registry ------------------------------------------------------------------------------


def test_decorator_registers_and_refuses_a_second_function_with_the_same_name(
    temporary_benchmarks,
):
    @temporary_benchmarks("selftest-registry", group="selftest")
    def first(ctx):
        pass

    registered = {b.name: b for b in bench.registered()}
    assert registered["selftest-registry"].group == "selftest"
    assert registered["selftest-registry"].func is first
    assert registered["selftest-registry"] in bench.select("SELFTEST")  # group, any case
    assert registered["selftest-registry"] not in bench.select("no-such-benchmark")

    with pytest.raises(ValueError, match="already registered"):

        @bench.benchmark("selftest-registry", group="other")
        def second(ctx):
            pass

    assert {b.name: b for b in bench.registered()}["selftest-registry"].func is first


def test_autodiscovery_finds_the_site_benchmarks():
    autodiscover_modules("benchmarks")
    groups = {b.name: b.group for b in bench.registered()}
    assert groups["home"] == "pages"
    assert groups["healthz"] == "ops"


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert bench.percentile(values, 95) == 95
    assert bench.percentile([3.0, 1.0, 2.0], 95) == 3.0
    assert bench.percentile([7.0], 95) == 7.0


# --- Runner against the current database ----------------------------------------------------


def test_measure_request_times_each_request_and_counts_its_queries(db):
    expected = queries_for("/healthz/")
    assert any("SELECT 1" in sql for sql in expected)

    ctx = bench.BenchContext(bench.Benchmark("t", "selftest", func=None), repeat=4, warmup=1)
    measurement = ctx.measure_request(Client(), "/healthz/")

    assert measurement.requests == 4
    assert len(measurement.timings_ms) == 4
    assert all(t > 0 for t in measurement.timings_ms)
    assert measurement.min_ms <= measurement.median_ms <= measurement.p95_ms
    assert measurement.queries == [len(expected)] * 4


def test_queries_are_counted_when_the_query_log_is_already_full(db):
    """Django's query log keeps 9,000 queries: a benchmark making hundreds a call (the
    completion benchmarks) used to count 0 once it had filled it."""

    def three_queries():
        for _ in range(3):
            Trust.objects.exists()

    ctx = bench.BenchContext(bench.Benchmark("t", "selftest", func=None), repeat=2, warmup=0)
    connection.queries_log.extend({"sql": "SELECT 0", "time": "0"} for _ in range(9_000))
    assert len(connection.queries_log) == connection.queries_limit
    measurement = ctx.measure(three_queries)
    assert measurement.queries == [3, 3]


def test_measure_request_fails_when_the_page_is_not_200(db):
    ctx = bench.BenchContext(bench.Benchmark("t", "selftest", func=None), repeat=2, warmup=0)
    with pytest.raises(AssertionError, match="returned 404, expected 200"):
        ctx.measure_request(Client(), "/no-such-page/")


def test_benchmark_data_is_rolled_back(db, temporary_benchmarks):
    seen = []

    @temporary_benchmarks("selftest-with-data")
    def with_data(ctx):
        TrustFactory.create_batch(3)
        seen.append(Trust.objects.count())
        ctx.measure(lambda: list(Trust.objects.all()), repeat=2, warmup=0)

    before = Trust.objects.count()
    [result] = bench.run_benchmarks(bench.select("selftest-with-data"), repeat=2, warmup=0)

    assert result.ok, result.traceback
    assert seen == [before + 3]
    assert result.measurements[0].queries == [1, 1]
    assert Trust.objects.count() == before


def test_a_non_atomic_benchmark_keeps_its_data(db, temporary_benchmarks):
    @temporary_benchmarks("selftest-autocommit", atomic=False)
    def autocommit(ctx):
        TrustFactory(ods_code="RZZZ")
        ctx.measure(lambda: Trust.objects.count(), repeat=1, warmup=0)

    [result] = bench.run_benchmarks(bench.select("selftest-autocommit"), repeat=1, warmup=0)
    assert result.ok, result.traceback
    assert Trust.objects.filter(ods_code="RZZZ").exists()


def test_run_on_commit_runs_callbacks_inside_an_atomic_benchmark(db, temporary_benchmarks):
    ran = []

    @temporary_benchmarks("selftest-on-commit")
    def on_commit(ctx):
        def enqueue():
            transaction.on_commit(lambda: ran.append("task"))

        with ctx.run_on_commit():
            ctx.measure(enqueue, repeat=2, warmup=0)

    [result] = bench.run_benchmarks(bench.select("selftest-on-commit"), repeat=2, warmup=0)
    assert result.ok, result.traceback
    assert ran == ["task", "task"]


def test_a_benchmark_that_measures_nothing_is_an_error(db, temporary_benchmarks):
    temporary_benchmarks("selftest-measures-nothing")(lambda ctx: None)
    [result] = bench.run_benchmarks(bench.select("selftest-measures-nothing"), repeat=1)
    assert not result.ok
    assert "recorded no measurements" in result.error


def test_a_skipped_benchmark_is_reported_with_its_reason_and_fails_nothing(
    db, current_database, temporary_benchmarks, tmp_path
):
    @temporary_benchmarks("selftest-skips")
    def skips(ctx):
        ctx.skip("needs a quantum computer")

    @temporary_benchmarks("selftest-runs")
    def runs(ctx):
        ctx.measure(lambda: None, repeat=1, warmup=0)

    json_path = tmp_path / "bench.json"
    out, _ = run_command("--filter", "selftest", "--repeat", "1", "--json", str(json_path))

    assert set(table_rows(out)) == {"selftest-runs"}
    assert "Skipped selftest-skips: needs a quantum computer" in out
    data = json.loads(json_path.read_text())
    assert data["errors"] == []
    assert data["skipped"] == [
        {"benchmark": "selftest-skips", "group": "selftest", "reason": "needs a quantum computer"}
    ]


def test_measure_alternating_takes_turns_rotating_who_goes_first(db):
    ctx = bench.BenchContext(bench.Benchmark("t", "selftest", func=None), repeat=3, warmup=1)
    calls = []
    measured = ctx.measure_alternating(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}
    )
    assert calls == ["a", "b", "a", "b", "b", "a", "a", "b"]  # warm-up, then rotating rounds
    assert [m.label for m in ctx.measurements] == ["a", "b"]
    assert [m.requests for m in measured.values()] == [3, 3]
    assert [m.warmup for m in measured.values()] == [1, 1]


def test_notes_are_printed_under_the_table_and_kept_in_the_json(
    db, current_database, temporary_benchmarks, tmp_path
):
    @temporary_benchmarks("selftest-notes")
    def notes(ctx):
        ctx.measure(lambda: None, repeat=1, warmup=0)
        ctx.note("ratio 1.02x (target <= 1.15: met)")

    json_path = tmp_path / "bench.json"
    out, _ = run_command("--filter", "selftest-notes", "--repeat", "1", "--json", str(json_path))
    assert set(table_rows(out)) == {"selftest-notes"}
    assert "  selftest-notes: ratio 1.02x (target <= 1.15: met)" in out.split("Notes:")[1]
    assert json.loads(json_path.read_text())["notes"] == [
        {
            "benchmark": "selftest-notes",
            "group": "selftest",
            "note": "ratio 1.02x (target <= 1.15: met)",
        }
    ]


def test_measure_concurrently_refuses_to_run_inside_a_transaction(db):
    ctx = bench.BenchContext(bench.Benchmark("t", "selftest", func=None))
    with pytest.raises(bench.BenchmarkError, match="atomic=False"):
        ctx.measure_concurrently(lambda client, n: None, clients=2, calls=1)
    assert ctx.measurements == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_measure_concurrently_runs_clients_at_once_on_their_own_connections():
    calls_seen = []

    def call(client, n):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), pg_sleep(0.05)")
            pid = cursor.fetchone()[0]
        calls_seen.append((client, n, pid))
        time.sleep(0.05)  # outside the database too

    ctx = bench.BenchContext(bench.Benchmark("t", "selftest", func=None))
    measurement = ctx.measure_concurrently(call, clients=4, calls=3, warmup=1, label="4-clients")

    assert sorted((c, n) for c, n, _ in calls_seen) == [(c, n) for c in range(4) for n in range(4)]
    pids = {client: {pid for c, _, pid in calls_seen if c == client} for client in range(4)}
    assert all(len(p) == 1 for p in pids.values())  # one connection per client...
    assert len(set().union(*pids.values())) == 4  # ...and none shared
    assert measurement.name == "t:4-clients"
    assert measurement.clients == 4 and measurement.requests == 12
    assert measurement.queries == [1] * 12
    assert all(t >= 100 for t in measurement.timings_ms)
    # 4 clients x 3 timed calls of at least 0.1 s, at once: each client takes 0.3 s or more,
    # so at most 40 a second, and together well under the 1.2 s one after another would.
    assert 12 / 0.9 < measurement.per_second <= 12 / 0.3
    assert not connection.in_atomic_block


def test_throughput_is_a_ratio_of_the_same_benchmarks_one_client_figure():
    def concurrent(benchmark, clients, per_second):
        return bench.Measurement(
            benchmark=benchmark,
            group="g",
            label=f"{clients}",
            warmup=0,
            timings_ms=[1.0],
            queries=[1],
            clients=clients,
            per_second=per_second,
        )

    table = reporting.format_throughput(
        [
            concurrent("enrol", 1, 100.0),
            concurrent("enrol", 8, 250.0),
            concurrent("other", 4, 50.0),  # no 1-client figure: no ratio
            bench.Measurement(benchmark="page", group="g", label=None, warmup=0),
        ]
    )
    rows = {line.split()[0]: line.split()[1:] for line in table.splitlines()[2:]}
    assert rows == {
        "enrol:1": ["1", "1", "100", "1.00"],
        "enrol:8": ["8", "1", "250", "2.50"],
        "other:4": ["4", "1", "50", "-"],
    }
    assert reporting.format_throughput([]) is None


# --- The command -----------------------------------------------------------------------------


def test_command_prints_a_row_for_healthz_with_its_query_count(db, current_database, tmp_path):
    json_path = tmp_path / "bench.json"
    out, _ = run_command("--filter", "healthz", "--repeat", "3", "--json", str(json_path))

    assert current_database, "the command must ask for a throwaway test database"
    header = out.splitlines()[0]
    assert connection.display_name in header
    assert "Django " in header and "Python " in header

    rows = table_rows(out)
    assert set(rows) == {"healthz"}  # --filter ran only the matching benchmark
    row = rows["healthz"]
    expected_queries = len(queries_for("/healthz/"))
    assert row["group"] == "ops"
    assert row["requests"] == "3"
    assert row["queries/request"] == str(expected_queries)
    assert float(row["min ms"]) <= float(row["median ms"]) <= float(row["p95 ms"])

    data = json.loads(json_path.read_text())
    assert data["environment"]["database_vendor"] == connection.vendor
    assert data["errors"] == []
    [result] = data["results"]
    assert result["benchmark"] == "healthz"
    assert result["requests"] == 3
    assert result["queries"] == [expected_queries] * 3
    assert f"{result['median_ms']:.2f}" == row["median ms"]


def test_command_times_the_home_page(db, current_database):
    out, _ = run_command("--filter", "home", "--repeat", "2", "--warmup", "1")
    rows = table_rows(out)
    row = rows["home"]
    assert row["group"] == "pages"
    assert row["requests"] == "2"
    with override_settings(PAGE_CACHE_SECONDS=0):  # "home" measures the rendered page
        assert row["queries/request"] == str(len(queries_for("/")))
    assert rows["home-cached"]["queries/request"] == "0"  # served from the page cache


def test_a_failing_benchmark_fails_the_command_but_the_others_still_run(
    db, current_database, temporary_benchmarks
):
    @temporary_benchmarks("selftest-ok")
    def ok(ctx):
        ctx.measure_request(ctx.client(), "/healthz/")

    @temporary_benchmarks("selftest-broken")
    def broken(ctx):
        raise RuntimeError("boom from a broken benchmark")

    with pytest.raises(CommandError, match="1 benchmark\\(s\\) failed: selftest-broken") as info:
        run_command("--filter", "selftest", "--repeat", "2")

    assert "selftest-ok" in table_rows(info.value.stdout)
    assert "selftest-broken" not in table_rows(info.value.stdout)
    assert "RuntimeError: boom from a broken benchmark" in info.value.stderr


def test_a_filter_that_matches_nothing_fails(db, current_database):
    with pytest.raises(CommandError, match="No benchmark matches"):
        run_command("--filter", "no-such-benchmark")
    assert current_database == []


def test_list_names_the_benchmarks_without_running_them(current_database):
    out, _ = run_command("--list")
    assert "healthz  (ops)  bench.benchmarks.site.healthz" in out
    assert current_database == []


def test_repeat_must_be_positive(current_database):
    with pytest.raises(CommandError, match="--repeat"):
        run_command("--repeat", "0")


def test_throwaway_database_refuses_a_test_name_equal_to_the_real_name(monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("create_test_db must not be called")

    monkeypatch.setattr(connection.creation, "create_test_db", must_not_run)
    monkeypatch.setitem(connection.settings_dict["TEST"], "NAME", connection.settings_dict["NAME"])
    with (
        pytest.raises(bench.BenchmarkError, match="refusing"),
        bench.throwaway_test_database(),
    ):
        pass


# --- The real command, in its own process ---------------------------------------------------


def run_bench_process(tmp_path, *args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", "bench", "--settings=config.settings.test", *args],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_make_bench_creates_its_own_database_and_never_opens_the_real_one(tmp_path):
    real_database = tmp_path / "real.sqlite3"
    json_path = tmp_path / "bench.json"
    process = run_bench_process(
        tmp_path,
        "--repeat",
        "2",
        "--json",
        str(json_path),
        DATABASE_URL=f"sqlite:///{real_database}",
    )
    assert process.returncode == 0, process.stderr
    rows = table_rows(process.stdout)
    assert {"home", "healthz"} <= set(rows)
    data = json.loads(json_path.read_text())
    assert data["environment"]["database_name"].startswith("file:memorydb_")
    assert not real_database.exists(), "bench opened the real database"
    # My learning makes as many queries with 10 enrolments as with 1.
    learning = [rows[f"programmes-my-learning-{n}"]["queries/request"] for n in (1, 10)]
    assert learning[0] == learning[1]
    # So does a cohort's attendance page with 200 people as with 20.
    attendance = [rows[f"cohort-attendance-{n}"]["queries/request"] for n in (20, 200)]
    assert attendance[0] == attendance[1]
    # The contention benchmarks say plainly that they need PostgreSQL, and fail nothing.
    assert "Skipped programmes-enrol-contention: needs PostgreSQL" in process.stdout
    assert "Skipped programmes-checkin-contention: needs PostgreSQL" in process.stdout
    assert {s["benchmark"] for s in data["skipped"]} == {
        "programmes-enrol-contention",
        "programmes-checkin-contention",
        "certificates-bulk-issue",
    }


@pytest.mark.postgres
def test_make_bench_on_postgres_keeps_pytests_database_and_drops_its_own(db, tmp_path):
    process = run_bench_process(tmp_path, "--filter", "healthz", "--repeat", "2")
    assert process.returncode == 0, process.stderr
    assert "PostgreSQL" in process.stdout.splitlines()[0]

    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database")
        databases = {name for (name,) in cursor.fetchall()}
    assert connection.settings_dict["NAME"] in databases  # pytest's own, not clobbered
    assert not any(name.endswith("_bench") for name in databases)
