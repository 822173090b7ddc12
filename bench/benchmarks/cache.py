"""What a page-cache hit costs on each cache backend `make run` could share between its web
server and worker: local memory (per process, so *not* shared: the baseline), files under
var/cache (the default), and the database cache. The page is the demo's largest, a module
page (its stored HTML is what each hit reads and unpickles)."""

import tempfile
from contextlib import contextmanager

from bench.runner import benchmark

from .cms_pages import _page_says, _programme_with

BACKENDS = {
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "file": "django.core.cache.backends.filebased.FileBasedCache",
    "database": "django.core.cache.backends.db.DatabaseCache",
}


@contextmanager
def _cache(backend):
    from django.core.management import call_command
    from django.test import override_settings

    with tempfile.TemporaryDirectory(prefix="tandem-bench-cache-") as folder:
        location = {"file": folder, "database": "bench_page_cache"}.get(backend, "bench")
        with override_settings(
            CACHES={"default": {"BACKEND": BACKENDS[backend], "LOCATION": location}}
        ):
            if backend == "database":
                call_command("createcachetable", verbosity=0)
            yield


def _cached_module_page(ctx, backend):
    _, modules = _programme_with(6)
    module = modules[3]
    with _cache(backend):
        client = ctx.client()

        def from_the_cache(response):
            _page_says(module.title)(response)
            if response.get("X-Tandem-Page-Cache") != "hit":
                raise AssertionError("the page was not served from the page cache")

        client.get(module.url)  # the miss that stores it
        ctx.measure_request(client, module.url, check=from_the_cache)


@benchmark("page-cache-hit-locmem", group="cache")
def page_cache_hit_locmem(ctx):
    """A module page from the page cache in local memory (tests; not shared by processes)."""
    _cached_module_page(ctx, "locmem")


@benchmark("page-cache-hit-file", group="cache")
def page_cache_hit_file(ctx):
    """The same from files (make run's default: shared by the web server and the worker)."""
    _cached_module_page(ctx, "file")


@benchmark("page-cache-hit-database", group="cache")
def page_cache_hit_database(ctx):
    """The same from the database cache (shared too, but each hit is a query)."""
    _cached_module_page(ctx, "database")
