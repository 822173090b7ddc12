"""The CMS benchmarks `make bench` runs: registered, working, and showing that a page's
queries do not grow from 6 modules to 30."""

import pytest
from django.utils.module_loading import autodiscover_modules

from bench import runner as bench

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def cms_benchmarks():
    autodiscover_modules("benchmarks")
    return {b.name: b for b in bench.select("cms") if b.group == "cms"}


def test_every_page_is_benchmarked_with_6_and_30_modules(cms_benchmarks):
    assert {
        "cms-front-page-6",
        "cms-front-page-30",
        "cms-programme-6",
        "cms-programme-30",
        "cms-module-6",
        "cms-module-30",
    } <= set(cms_benchmarks)
    # `--filter home` means the site's home page benchmark alone (bench.benchmarks.site).
    assert not [name for name in cms_benchmarks if "home" in name]


@pytest.mark.parametrize("page", ["front-page", "programme", "module"])
def test_queries_per_request_are_the_same_for_6_and_30_modules(cms_benchmarks, page):
    results = {
        n: bench.run_benchmark(cms_benchmarks[f"cms-{page}-{n}"], repeat=2, warmup=1)
        for n in (6, 30)
    }
    for result in results.values():
        assert result.ok, result.traceback
    [few], [many] = results[6].measurements, results[30].measurements
    assert few.queries == many.queries
    # The module page's 9 (tests/cms/test_pages.py explains each) is the most.
    assert max(few.queries) <= 9
