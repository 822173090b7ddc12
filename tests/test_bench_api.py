"""The API's benchmark (bench/benchmarks/api.py), run once quickly on pytest's database: every
page of the attendance list walked by its next links with a token, the same queries on every
page, and a page timed beside the hello-world view."""

from django.utils.module_loading import autodiscover_modules

from bench import runner as bench
from bench.benchmarks.api import attendance_pages_body


def test_the_api_benchmark_is_registered():
    autodiscover_modules("benchmarks")
    assert {b.name: b.group for b in bench.registered()}["api-attendance-pages"] == "api"


def test_paging_the_attendance_list_costs_the_same_queries_on_every_page(db):
    ctx = bench.BenchContext(
        bench.Benchmark("api-attendance-pages", "api", func=None), repeat=2, warmup=0
    )
    per_page = attendance_pages_body(ctx, people=10, sessions=6, page_size=10, ods_code="RBY")

    assert len(per_page) == 6  # 60 marks, 10 a page
    assert len(set(per_page[1:])) == 1 and per_page[0] - per_page[1] in (0, 1)
    walked, timed = ctx.notes
    assert walked.startswith("walked 6 pages of 10 (60 marks)") and walked.endswith("constant")
    assert "x hello's rate" in timed
    assert [m.label for m in ctx.measurements] == ["page-of-10", "hello"]
    assert all(m.requests == 2 for m in ctx.measurements)
    assert ctx.measurements[1].queries == [0, 0]  # the hello view touches no database
