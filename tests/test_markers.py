"""Where tests marked `postgres` run: never skipped in CI or on PostgreSQL, whichever way
DATABASE_URL spells it."""

import re
from pathlib import Path

import pytest

from tests.conftest import skips_postgres_tests

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "database_url",
    [
        "postgres://postgres@127.0.0.1:5432/tandem",
        "postgresql://postgres@127.0.0.1:5432/tandem",
        "pgsql://postgres@127.0.0.1:5432/tandem",
    ],
)
def test_postgres_tests_run_locally_on_postgres(database_url):
    assert not skips_postgres_tests({"DATABASE_URL": database_url})


def test_postgres_tests_skip_locally_on_sqlite():
    assert skips_postgres_tests({})
    assert skips_postgres_tests({"DATABASE_URL": "sqlite:///var/tandem.sqlite3"})


def test_postgres_tests_always_run_in_ci():
    # On SQLite they then fail loudly (require_postgres) instead of hiding the gap.
    assert not skips_postgres_tests({"CI": "true"})
    assert not skips_postgres_tests({"CI": "true", "DATABASE_URL": "sqlite:///x.sqlite3"})


def test_ci_sets_ci_itself_before_running_the_tests():
    script = (ROOT / ".ci" / "run").read_text()
    export = re.search(r"^export CI=true$", script, re.MULTILINE)
    make_test = re.search(r"^make test\b", script, re.MULTILINE)
    assert export and make_test and export.start() < make_test.start()
