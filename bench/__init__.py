"""Benchmarks for a developer's machine (`make bench`): the registry and runner (runner.py),
the benchmarks themselves (benchmarks/), and `manage.py bench` / `bench_http`.

Installed only by the dev and test settings: production never imports it, which matters
because the runner uses django.test (the test client, captured queries). It may import every
app; no app imports it (tests/test_architecture.py).
"""
