"""CMS benchmarks for `make bench`: the front page, a programme page and a module page,
rendered with the demo's real content, with 6 modules and again with 30, to show that the
number of queries a page makes does not grow with the number of modules.

Each is its own benchmark (not one with labels) so the table's names stay single words, as
the bench command's own tests read them; none is named "home", which `--filter home` means
for the site's own benchmark (bench.benchmarks.site).
"""

import logging
from contextlib import contextmanager

from bench.runner import benchmark

EXTRA_MODULE_TITLE = "Leading together in practice, part {n}"


@contextmanager
def _quiet(*names):
    """Wagtail logs a line per page created; setting up 30 modules would bury the table."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _programme_with(module_count: int):
    """The demo's Leading Together (6 modules of real content), topped up to
    ``module_count`` modules with copies of them. Returns (programme, modules)."""
    with _quiet("wagtail", "django_tasks"):
        return _build_programme(module_count)


def _build_programme(module_count: int):
    from cms.models import LeadershipDimension, ModulePage, ProgrammePage, Topic
    from demo.content import MODULES, seed_content
    from demo.run import SeedRun

    seed_content(SeedRun())
    programme = ProgrammePage.objects.get(slug="leading-together")
    topics = {t.slug: t for t in Topic.objects.all()}
    dimensions = {d.slug: d for d in LeadershipDimension.objects.all()}
    existing = ModulePage.objects.child_of(programme).count()
    for n in range(existing, module_count):
        spec = MODULES[n % len(MODULES)]
        module = ModulePage(
            title=EXTRA_MODULE_TITLE.format(n=n + 1),
            slug=f"in-practice-{n + 1}",
            summary=spec["summary"],
            estimated_minutes=spec["minutes"],
            learning_outcomes=spec["learning_outcomes"],
            body=spec["body"],
        )
        module.topics = [topics[slug] for slug in spec["topics"]]
        module.leadership_dimensions = [dimensions[slug] for slug in spec["dimensions"]]
        programme.add_child(instance=module)
    modules = list(ModulePage.objects.child_of(programme).order_by("path"))
    assert len(modules) == module_count
    return programme, modules


@contextmanager
def _rendered():
    """Time rendering, not the anonymous page cache (cms.page_cache), which would otherwise
    answer every request after the first with no queries at all."""
    from django.test import override_settings

    with override_settings(PAGE_CACHE_SECONDS=0):
        yield


def _page_says(text, *, html=False):
    from django.utils.html import escape

    expected = (text if html else escape(text)).encode()

    def check(response):
        # A 200 from the wrong page would be timed happily; make sure it is the right one.
        if expected not in response.content:
            raise AssertionError(f"the page did not contain {text!r}")

    return check


def _front_page(ctx, module_count):
    _programme_with(module_count)
    with _rendered():
        ctx.measure_request(ctx.client(), "/", check=_page_says("Leading Together"))


def _programme_page(ctx, module_count):
    programme, modules = _programme_with(module_count)
    with _rendered():
        ctx.measure_request(ctx.client(), programme.url, check=_page_says(modules[-1].title))


def _module_page(ctx, module_count):
    _, modules = _programme_with(module_count)
    module = modules[len(modules) // 2]
    with _rendered():
        ctx.measure_request(
            ctx.client(), module.url, check=_page_says(f"Module {len(modules) // 2 + 1} of")
        )


@benchmark("cms-front-page-6", group="cms")
def front_page_6(ctx):
    """The site's front page (programmes listed) with 6 modules in the programme."""
    _front_page(ctx, 6)


@benchmark("cms-front-page-30", group="cms")
def front_page_30(ctx):
    _front_page(ctx, 30)


@benchmark("cms-programme-6", group="cms")
def programme_6(ctx):
    """Leading Together with its 6 demo modules listed, served anonymously."""
    _programme_page(ctx, 6)


@benchmark("cms-programme-30", group="cms")
def programme_30(ctx):
    _programme_page(ctx, 30)


@benchmark("cms-module-6", group="cms")
def module_6(ctx):
    """A module of real length (case study, paired activity, knowledge check...) in a
    programme of 6, with its neighbours and related modules."""
    _module_page(ctx, 6)


@benchmark("cms-module-30", group="cms")
def module_30(ctx):
    _module_page(ctx, 30)


@benchmark("cms-module-30-signed-in", group="cms")
def module_30_signed_in(ctx):
    """As cms-module-30, for a participant with progress and reflections on every module."""
    from cms.models import ModuleProgress, ModuleReflection
    from people.models import User

    _, modules = _programme_with(30)
    # A complete profile: an incomplete one is sent to the profile step from every page.
    person = User.objects.create_user(
        "bench.participant@tandem.example",
        first_name="Bench",
        last_name="Participant",
        professional_group="management",
        job_title="Service manager",
    )
    for module in modules:
        ModuleProgress.objects.create(person=person, module=module)
        ModuleReflection.objects.create(person=person, module=module, text="Worth rereading.")
    module = modules[15]
    with _rendered():
        ctx.measure_request(
            ctx.client(user=person), module.url, check=_page_says("Your reflections")
        )


@benchmark("cms-search-30", group="cms")
def search_30(ctx):
    """Site search for a word in every module's body, 30 modules and the library indexed."""
    _programme_with(30)
    with _rendered():
        ctx.measure_request(
            ctx.client(), "/search/?q=agency", check=_page_says("<mark>", html=True)
        )
