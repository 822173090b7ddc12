"""Site-wide benchmarks: the public home page and the health check load balancers poll."""

from bench.runner import benchmark


def _is_home_page(response):
    # A 200 from some other page would be timed happily; make sure it is the real one.
    if b"Clinicians and managers" not in response.content:
        raise AssertionError("/ did not render the Tandem home page")


@benchmark("home", group="pages")
def home_page(ctx):
    """The Wagtail home page created by migration cms.0002, served anonymously and rendered
    (page caching off); `home-cached` is the same page served from the page cache."""
    from django.test import override_settings

    with override_settings(PAGE_CACHE_SECONDS=0):
        ctx.measure_request(ctx.client(), "/", check=_is_home_page)


@benchmark("home-cached", group="pages")
def home_page_cached(ctx):
    """The home page from the anonymous page cache (cms.page_cache): no routing, no queries."""
    ctx.measure_request(ctx.client(), "/", check=_is_home_page)


@benchmark("healthz", group="ops")
def healthz(ctx):
    """/healthz/: a database round trip, a broker connection and the heartbeat lookup."""
    ctx.measure_request(ctx.client(), "/healthz/")
