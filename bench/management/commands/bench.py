"""`make bench`: run every app's benchmarks against a throwaway test database."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules

from bench import reporting
from bench import runner as bench


class Command(BaseCommand):
    help = (
        "Time pages and jobs registered with @benchmark in each app's benchmarks.py, against a "
        "freshly created and migrated test database (never the real one), and print a table."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--filter",
            metavar="SUBSTRING",
            help=(
                "Run only benchmarks whose name or group contains SUBSTRING (any case). "
                "Opt-in benchmarks (the reports at national scale) run only when named so."
            ),
        )
        parser.add_argument(
            "--repeat",
            type=int,
            default=bench.DEFAULT_REPEAT,
            help=f"Timed runs per measurement (default {bench.DEFAULT_REPEAT}).",
        )
        parser.add_argument(
            "--warmup",
            type=int,
            default=bench.DEFAULT_WARMUP,
            help=f"Untimed runs before timing starts (default {bench.DEFAULT_WARMUP}).",
        )
        parser.add_argument("--json", metavar="PATH", help="Also write the results as JSON.")
        parser.add_argument(
            "--list", action="store_true", help="List the benchmarks and exit, running nothing."
        )

    def handle(self, *args, **options):
        repeat, warmup = options["repeat"], options["warmup"]
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        if warmup < 0:
            raise CommandError("--warmup cannot be negative.")

        autodiscover_modules("benchmarks")
        selected = bench.select(options["filter"])
        if not selected:
            known = ", ".join(b.name for b in bench.registered()) or "none registered"
            raise CommandError(f"No benchmark matches {options['filter']!r} (known: {known}).")

        if options["list"]:
            listed = selected if options["filter"] else bench.registered()
            for b in listed:
                opt_in = "  (opt-in: runs when --filter names it)" if b.opt_in else ""
                self.stdout.write(f"{b.name}  ({b.group})  {b.origin}{opt_in}")
            return

        if not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            self.stderr.write(
                "Warning: CELERY_TASK_ALWAYS_EAGER is off, so tasks a benchmark enqueues go to "
                "the real broker. `make bench` uses --settings=config.settings.test."
            )

        def announce(b):
            if options["verbosity"] >= 2:
                self.stderr.write(f"Running {b.name} ({b.group})...")

        try:
            with bench.throwaway_test_database():
                results = bench.run_benchmarks(
                    selected, repeat=repeat, warmup=warmup, on_start=announce
                )
                env = reporting.environment()
        except bench.BenchmarkError as error:
            raise CommandError(str(error)) from error
        self.report(results, env, repeat=repeat, warmup=warmup, json_path=options["json"])

    def report(self, results, env, *, repeat, warmup, json_path=None):
        """Print the table, the throughput of concurrent measurements and what was skipped
        (and write JSON); fail if any benchmark errored."""
        measurements = [m for r in results if r.ok for m in r.measurements]
        self.stdout.write(reporting.header_line(env, repeat=repeat, warmup=warmup))
        self.stdout.write(reporting.format_table(measurements))
        if throughput := reporting.format_throughput(measurements):
            self.stdout.write("\nConcurrent clients (calls per second, all clients together):")
            self.stdout.write(throughput)
        notes = [(r.benchmark.name, note) for r in results if r.ok for note in r.notes]
        if notes:
            self.stdout.write("\nNotes:")
            for name, note in notes:
                self.stdout.write(f"  {name}: {note}")
        for r in results:
            if r.skipped:
                self.stdout.write(f"\nSkipped {r.benchmark.name}: {r.skipped}")

        if json_path:
            data = reporting.results_as_dict(results, env, repeat=repeat, warmup=warmup)
            Path(json_path).write_text(json.dumps(data, indent=2) + "\n")
            self.stdout.write(f"Results written to {json_path}")

        failed = [r for r in results if not r.ok]
        if failed:
            for r in failed:
                self.stderr.write(f"\nBenchmark {r.benchmark.name} ({r.benchmark.origin}) failed:")
                self.stderr.write(r.traceback or r.error)
            names = ", ".join(f"{r.benchmark.name} ({r.error})" for r in failed)
            raise CommandError(f"{len(failed)} benchmark(s) failed: {names}")
