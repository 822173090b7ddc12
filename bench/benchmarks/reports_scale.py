"""Trust reports at national volume (issue 14's figures): seed_scale's data (PRODUCT.md §6:
250 trusts, 100,000 people, 10,000 cohorts, 200,000 enrolments, 2,000,000 attendance marks,
100,000 role appointments) on PostgreSQL, each query figure a ratio to ``SELECT count(*)``
over the attendance table timed in the same run, alternating with it (this machine's speed
drifts; a ratio holds where milliseconds do not):

- ``reports-scale-trust-queries``: each measure of reports.selectors on its own (every
  public function of a ReportFilter that returns figures rather than a QuerySet, so a
  measure added there is timed without touching this file), for the largest trust (the one
  with most enrolments counted for it): target at most 0.5x each.
- ``reports-scale-comparisons``: all-trust comparisons, target at most 10x each: the
  comparison's own queries (``reports/compar*.py``, found by their signatures) where they
  exist, else the all-trust GROUP BY forms of the dashboard's main measures (below), which
  stand in for them; a Note says which were timed.
- ``reports-scale-dashboard-page``: the whole dashboard through the test client as the
  trust's reporting lead: median under 500 ms for the largest trust (and with a programme
  chosen), and the same number of queries for the smallest trust as for the largest.
- ``reports-scale-xlsx``: each table's XLSX download for the largest trust: time and size.

They are **opt-in** (``opt_in=True``): a plain `make bench` leaves them out, and
``--filter reports`` (or a name) runs them. Where the data comes from:

- by default the first of them seeds the run's throwaway database with ``seed_scale``
  (``TANDEM_BENCH_SCALE``, default 1 = §6: a few minutes) and the others reuse it; the
  database is dropped at the end of the run, as always;
- ``TANDEM_BENCH_SCALE_DATABASE=tandem_scale`` reuses a database ``seed_scale`` has filled
  (migrated to the code being measured), seeding nothing: read only — what the benchmarks
  create there (two reporting leads, their sessions) is rolled back.
"""

from __future__ import annotations

import inspect
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass

from bench.runner import BenchmarkError, benchmark

SCALE_ENV = "TANDEM_BENCH_SCALE"
DATABASE_ENV = "TANDEM_BENCH_SCALE_DATABASE"
# Targets (issue 14): per-trust queries and all-trust comparisons as multiples of the count.
TRUST_TARGET, COMPARISON_TARGET, PAGE_TARGET_MS = 0.5, 10.0, 500.0
# Fewer rounds than a page benchmark's 50: a round is every measure plus the count, and a
# comparison takes up to seconds. Lower --repeat (the tests' 1) lowers them further.
QUERY_REPEAT, COMPARISON_REPEAT, PAGE_REPEAT, XLSX_REPEAT = 20, 10, 20, 5
REFERENCE = "count-attendance"
NEEDS_POSTGRES = (
    "needs PostgreSQL, where seed_scale writes national volumes in minutes: run "
    '`DATABASE_URL=postgres://user@host:5432/name make bench ARGS="--filter reports"` '
    f"(or set {DATABASE_ENV} to a database seed_scale has filled)."
)


def _repeat(ctx, most: int, *, least_warmup: int = 0) -> dict:
    return {"repeat": min(ctx.repeat, most), "warmup": max(least_warmup, min(ctx.warmup, 2))}


# --- The data -----------------------------------------------------------------------------------


@dataclass
class National:
    origin: str  # where the data came from, for the Notes
    largest: object  # people.Trust, the most enrolments counted for it
    smallest: object  # the fewest (at least one)
    largest_enrolments: int
    smallest_enrolments: int


def _scale() -> float:
    raw = os.environ.get(SCALE_ENV, "").strip() or "1"
    try:
        scale = float(raw)
    except ValueError:
        raise BenchmarkError(f"{SCALE_ENV}={raw!r} is not a number (1 is PRODUCT.md §6)") from None
    if scale <= 0:
        raise BenchmarkError(f"{SCALE_ENV} must be more than 0")
    return scale


@contextmanager
def _seeded():
    """The run's own database, seeded once: a later benchmark of the run finds it seeded."""
    from django.core.management import call_command

    from demo.scale.reset import has_scale_data

    if has_scale_data():
        yield f"seed_scale at scale {_scale():g}, seeded earlier in this run"
        return
    scale = _scale()
    sys.stderr.write(f"Seeding the bench database with seed_scale --scale {scale:g}...\n")
    started = time.perf_counter()
    # Committed (the benchmarks are atomic=False), so seed_scale can VACUUM as well as
    # ANALYZE: index-only scans then need no heap visits, as on a database autovacuum has
    # been by — the count(*) reference among them.
    call_command("seed_scale", "--scale", str(scale), stdout=sys.stderr)
    yield f"seed_scale at scale {scale:g}, seeded in {time.perf_counter() - started:.0f} s"


@contextmanager
def _reusing(connection, name: str):
    """The default connection pointed at ``name`` for the block, then back at the run's."""
    from django.db.migrations.executor import MigrationExecutor

    from demo.scale.reset import has_scale_data

    settings_dict = connection.settings_dict
    saved = settings_dict["NAME"]
    connection.close()
    settings_dict["NAME"] = name
    try:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise BenchmarkError(
                f"{DATABASE_ENV}={name}: that database lacks migrations of this code; run "
                f"`DATABASE_URL=postgres://…/{name} manage.py migrate` first"
            )
        if not has_scale_data():
            raise BenchmarkError(
                f"{DATABASE_ENV}={name}: that database has no seed_scale data; run "
                f"`DATABASE_URL=postgres://…/{name} manage.py seed_scale` first"
            )
        yield f"database {name}, filled by seed_scale earlier (reused, nothing written)"
    finally:
        connection.close()
        settings_dict["NAME"] = saved


def _trusts_by_size() -> list[dict]:
    from django.db.models import Count

    from demo.scale.plan import trust_q
    from programmes.models import Enrolment

    return list(
        Enrolment.objects.filter(trust_q("trust__"))
        .values("trust_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "trust_id")
    )


@contextmanager
def _national(ctx):
    """National volumes for the block, inside a transaction that is rolled back: whatever a
    benchmark makes (its reporting leads, their sessions) is gone afterwards."""
    from django.db import transaction

    from people.models import Trust

    if ctx.connection.vendor != "postgresql":
        ctx.skip(NEEDS_POSTGRES)
    name = os.environ.get(DATABASE_ENV, "").strip()
    with _reusing(ctx.connection, name) if name else _seeded() as origin:
        sizes = _trusts_by_size()
        if not sizes:
            raise BenchmarkError("the seed_scale data has no enrolments")
        trusts = Trust.objects.in_bulk([sizes[0]["trust_id"], sizes[-1]["trust_id"]])
        with transaction.atomic(using=ctx.using):
            yield National(
                origin=origin,
                largest=trusts[sizes[0]["trust_id"]],
                smallest=trusts[sizes[-1]["trust_id"]],
                largest_enrolments=sizes[0]["n"],
                smallest_enrolments=sizes[-1]["n"],
            )
            transaction.set_rollback(True, using=ctx.using)


def _data_note(ctx, data: National) -> None:
    ctx.note(
        f"data: {data.origin}; largest trust {data.largest.ods_code} "
        f"({data.largest_enrolments:,} enrolments), smallest {data.smallest.ods_code} "
        f"({data.smallest_enrolments:,})"
    )


def _count_attendance() -> int:
    """The reference: every attendance mark counted (an index-only or parallel scan of two
    million rows at full scale), the figure the issue's targets are multiples of."""
    from django.db import connection

    from programmes.models import Attendance

    table = connection.ops.quote_name(Attendance._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - a model's own table
        return cursor.fetchone()[0]


def _ratio_notes(ctx, timings: dict, target: float, what: str) -> None:
    reference = timings[REFERENCE].median_ms
    rows = (label for label in timings if label != REFERENCE)
    met = []
    for label in rows:
        measurement = timings[label]
        ratio = measurement.median_ms / reference
        met.append(ratio <= target)
        queries = measurement.queries_display
        ctx.note(
            f"{label} {ratio:.2f}x, {measurement.median_ms:.1f} ms, {queries} "
            f"quer{'y' if queries == '1' else 'ies'} (target <= {target:g}x: "
            f"{'met' if ratio <= target else 'NOT MET'})"
        )
    ctx.note(
        f"{what}: {sum(met)} of {len(met)} within {target:g}x of count(*) over the attendance "
        f"table ({_count_attendance():,} marks, median {reference:.1f} ms)"
    )


# --- Each measure of the trust dashboard ----------------------------------------------------------


def trust_measures() -> dict:
    """reports.selectors' measures: its public functions of a ReportFilter (``f``) whose
    other parameters have defaults and which return figures, not a QuerySet to build on."""
    from reports import selectors

    found = {}
    for name, fn in vars(selectors).items():
        if name.startswith("_") or not inspect.isfunction(fn):
            continue
        if fn.__module__ != selectors.__name__:
            continue
        signature = inspect.signature(fn)
        parameters = list(signature.parameters.values())
        if not parameters or parameters[0].annotation not in (
            "ReportFilter",
            selectors.ReportFilter,
        ):
            continue
        if any(p.default is p.empty for p in parameters[1:]):
            continue
        if "QuerySet" in str(signature.return_annotation):
            continue
        found[name] = fn
    return found


@benchmark("reports-scale-trust-queries", group="reports", atomic=False, opt_in=True)
def trust_queries(ctx):
    """Each measure of the largest trust's dashboard (no filters), alternating with the count."""
    from reports.selectors import ReportFilter

    with _national(ctx) as data:
        report_filter = ReportFilter(trust=data.largest)
        measures = {
            name: (lambda fn=fn: fn(report_filter)) for name, fn in trust_measures().items()
        }
        timings = ctx.measure_alternating(
            {REFERENCE: _count_attendance, **measures}, **_repeat(ctx, QUERY_REPEAT)
        )
        _data_note(ctx, data)
        _ratio_notes(ctx, timings, TRUST_TARGET, "per-trust measures")


# --- All trusts at once -----------------------------------------------------------------------


def _default_arguments(fn) -> list | None:
    """Arguments for ``fn``'s required parameters: each annotated with a class that can be
    made with no arguments (a filter dataclass, all of whose fields have defaults, is made
    "no filter"); None when some parameter is not like that."""
    import typing

    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 - an annotation this cannot resolve: not called
        return None
    arguments = []
    for parameter in inspect.signature(fn).parameters.values():
        if parameter.default is not parameter.empty or parameter.kind in (
            parameter.VAR_POSITIONAL,
            parameter.VAR_KEYWORD,
        ):
            continue
        if parameter.kind is parameter.KEYWORD_ONLY:
            return None
        kind = hints.get(parameter.name)
        if not inspect.isclass(kind) or kind.__module__.split(".")[0] != "reports":
            return None
        try:
            arguments.append(kind())
        except TypeError:
            return None
    return arguments


def comparison_selectors() -> tuple[dict, list[str]]:
    """The all-trust comparisons of ``reports/compar*.py`` (its selectors and whatever builds
    the whole comparison), if any: each public function whose arguments can be made (no
    filter, see _default_arguments) and which returns figures, not a QuerySet to build on, is
    timed; the selectors modules' other functions are listed, not guessed at."""
    import importlib
    import pkgutil

    import reports

    timed, untimed = {}, []
    for module_info in pkgutil.iter_modules(reports.__path__):
        name = module_info.name
        if not name.startswith("compar") or "view" in name or "chart" in name:
            continue
        module = importlib.import_module(f"reports.{name}")
        for fn_name, fn in vars(module).items():
            if fn_name.startswith("_") or not inspect.isfunction(fn):
                continue
            if fn.__module__ != module.__name__:
                continue
            if "QuerySet" in str(inspect.signature(fn).return_annotation):
                continue
            label = f"{name}.{fn_name}"
            arguments = _default_arguments(fn)
            if arguments is not None:
                timed[label] = lambda fn=fn, arguments=arguments: fn(*arguments)
            elif name.endswith("selectors"):
                untimed.append(label)
    return timed, untimed


def all_trust_forms(today=None) -> dict:
    """The dashboard's main measures for every trust at once, each one GROUP BY query as a
    national comparison would make it (enrolments count for Enrolment.trust, as in
    reports.selectors; with no filter a trust's enrolments are all those counted for it)."""
    from django.db.models import Count, Q
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    from people.models import CLINICAL_GROUPS
    from programmes.models import (
        ATTENDED,
        Attendance,
        Enrolment,
        EnrolmentStatus,
        Mark,
        SessionStatus,
    )
    from reports.dates import AddMonths
    from reports.selectors import FOLLOW_UPS, _leading_on

    today = today or timezone.localdate()
    enrolments = Enrolment.objects.filter(trust__isnull=False)
    live = enrolments.exclude(status=EnrolmentStatus.WITHDRAWN)

    def participants():
        return list(
            live.values("trust_id", "professional_group")
            .annotate(people=Count("person", distinct=True))
            .order_by()
        )

    def statuses():  # completion rate: completed of completed and not completed
        return list(enrolments.values("trust_id", "status").annotate(n=Count("pk")).order_by())

    def attendance():
        attended = Q(mark__in=ATTENDED) | Q(
            mark=Mark.EXCUSED, session__cohort__programme__excused_counts_as_attended=True
        )
        return list(
            Attendance.objects.filter(
                enrolment__trust__isnull=False,
                session__status=SessionStatus.SCHEDULED,
                session__ends_at__lte=timezone.now(),
            )
            .values("enrolment__trust_id")
            .annotate(marks=Count("pk"), attended=Count("pk", filter=attended))
            .order_by()
        )

    def leadership():  # reports.selectors.leadership_counts, per trust
        person = "person_id"
        aggregates = {
            "completed": Count(person, distinct=True),
            "led_at_enrolment": Count(person, distinct=True, filter=Q(led_then=True)),
        }
        for m in FOLLOW_UPS:
            reached = Q(**{f"at_{m}__lte": today})
            aggregates[f"followed_{m}"] = Count(person, distinct=True, filter=reached)
            aggregates[f"led_{m}"] = Count(
                person, distinct=True, filter=reached & Q(**{f"led_at_{m}": True})
            )
        return list(
            enrolments.filter(
                status=EnrolmentStatus.COMPLETED, professional_group__in=CLINICAL_GROUPS
            )
            .annotate(
                enrolled_on=TruncDate("created_at"), completed_on=TruncDate("status_changed_at")
            )
            .annotate(**{f"at_{m}": AddMonths("completed_on", m) for m in FOLLOW_UPS})
            .annotate(
                led_then=_leading_on("enrolled_on", started_before=True),
                **{f"led_at_{m}": _leading_on(f"at_{m}") for m in FOLLOW_UPS},
            )
            .values("trust_id")
            .annotate(**aggregates)
            .order_by()
        )

    def relationship():
        return list(
            live.filter(baseline_relationship__isnull=False)
            .values("trust_id", "baseline_relationship")
            .annotate(n=Count("pk"))
            .order_by()
        )

    return {
        "participants-by-trust-and-group": participants,
        "enrolments-by-trust-and-status": statuses,
        "attendance-rate-by-trust": attendance,
        "leadership-moves-by-trust": leadership,
        "relationship-by-trust": relationship,
    }


@benchmark("reports-scale-comparisons", group="reports", atomic=False, opt_in=True)
def comparisons(ctx):
    """All-trust comparisons, alternating with the count."""
    with _national(ctx) as data:
        found, untimed = comparison_selectors()
        fns = {REFERENCE: _count_attendance, **(found or all_trust_forms())}
        timings = ctx.measure_alternating(fns, **_repeat(ctx, COMPARISON_REPEAT))
        _data_note(ctx, data)
        if found:
            ctx.note("timed the comparison's own queries (reports/compar*.py), no filter")
        else:
            ctx.note(
                "no comparison selectors in reports/compar*.py to time: timed the all-trust "
                "GROUP BY forms of the dashboard's main measures instead "
                "(bench/benchmarks/reports_scale.py, all_trust_forms)"
            )
        if untimed:
            ctx.note(f"not timed (they need arguments): {', '.join(untimed)}")
        _ratio_notes(ctx, timings, COMPARISON_TARGET, "all-trust comparisons")


# --- The page and its downloads ---------------------------------------------------------------


def _reporting_lead(trust):
    """A reporting lead of ``trust`` with an authenticator app (the role is a staff one)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.hashers import make_password

    from people.access import AccessRole
    from people.models import ProfessionalGroup, User
    from people.services import access_grant_create

    lead = User.objects.create(
        email=f"reporting-lead.{trust.ods_code.lower()}@bench.tandem.example",
        password=make_password(None),
        first_name="Bench",
        last_name="Reporting Lead",
        trust=trust,
        professional_group=ProfessionalGroup.MANAGEMENT,
        job_title="Head of workforce information",
    )
    access_grant_create(person=lead, role=AccessRole.TRUST_REPORTING_LEAD, trust=trust, by=None)
    TOTP.activate(lead, generate_totp_secret())
    return lead


def _check_dashboard(response) -> None:
    # A 200 from the wrong page (a form error, the trust picker) would be timed happily.
    if b"Participants by professional group" not in response.content:
        raise AssertionError("the dashboard did not show its tables")


def _busiest_programme(trust):
    from django.db.models import Count

    from programmes.models import Enrolment

    row = (
        Enrolment.objects.filter(trust=trust)
        .values("cohort__programme_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return row and row["cohort__programme_id"]


@benchmark("reports-scale-dashboard-page", group="reports", atomic=False, opt_in=True)
def dashboard_page(ctx):
    """/reports/trusts/<id>/ for the largest trust's reporting lead, unfiltered and with its
    busiest programme chosen; and for the smallest trust's, to compare query counts."""
    with _national(ctx) as data:
        timed = {}
        for label, trust in (("largest-trust", data.largest), ("smallest-trust", data.smallest)):
            client = ctx.client(user=_reporting_lead(trust))
            url = f"/reports/trusts/{trust.pk}/"
            # One untimed request at least: the first fills the caches the header's
            # navigation keeps, and would count their queries as the dashboard's.
            repeat = _repeat(ctx, PAGE_REPEAT if trust is data.largest else 5, least_warmup=1)
            timed[label] = ctx.measure_request(
                client, url, label=label, check=_check_dashboard, **repeat
            )
            if trust is data.largest and (programme := _busiest_programme(trust)):
                timed["largest-trust-programme"] = ctx.measure_request(
                    client,
                    f"{url}?programme={programme}",
                    label="largest-trust-programme",
                    check=_check_dashboard,
                    **repeat,
                )
        _data_note(ctx, data)
        for label in ("largest-trust", "largest-trust-programme"):
            if label in timed:
                median = timed[label].median_ms
                met = "met" if median < PAGE_TARGET_MS else "NOT MET"
                ctx.note(
                    f"{label} page median {median:.0f} ms (target < {PAGE_TARGET_MS:.0f} ms: {met})"
                )
        largest, smallest = timed["largest-trust"], timed["smallest-trust"]
        same = largest.queries_display == smallest.queries_display
        ctx.note(
            f"queries: {largest.queries_display} for the largest trust, "
            f"{smallest.queries_display} for the smallest (independent of size: "
            f"{'met' if same else 'NOT MET'})"
        )


@benchmark("reports-scale-xlsx", group="reports", atomic=False, opt_in=True)
def xlsx_downloads(ctx):
    """Each dashboard table of the largest trust as XLSX, through the test client."""
    from reports.exports import TABLES, XLSX_TYPE

    with _national(ctx) as data:
        client = ctx.client(user=_reporting_lead(data.largest))
        sizes = {}
        for table in TABLES:

            def check(response, table=table):
                if response["Content-Type"] != XLSX_TYPE or not response.content.startswith(b"PK"):
                    raise AssertionError(f"the {table} download is not an XLSX file")
                sizes[table] = len(response.content)

            ctx.measure_request(
                client,
                f"/reports/trusts/{data.largest.pk}/{table}.xlsx",
                label=table,
                check=check,
                **_repeat(ctx, XLSX_REPEAT, least_warmup=1),
            )
        _data_note(ctx, data)
        slowest = max(ctx.measurements, key=lambda m: m.median_ms)
        ctx.note(
            "XLSX sizes: "
            + ", ".join(f"{table} {size / 1024:.1f} KB" for table, size in sizes.items())
            + f"; slowest {slowest.label}, median {slowest.median_ms:.0f} ms (each download "
            "builds the whole dashboard: its thirteen queries, then one table's workbook)"
        )
