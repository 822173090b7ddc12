"""Reads: what a page shows, what a person has done. Every query a CMS view or page makes is
here, scoped by the requesting person where it concerns them, and bounded — listings are one
query over the page tree, never one per module.

The two functions other apps build on:

- ``modules_completed_by(person, programme=None)``: the modules a person has completed, for
  programme completion rules (README, "Learner progress").
- ``open_cohorts_for_programme(programme)``: how a programme page lists the cohorts open for
  enrolment, with the places left for each group (programmes.selectors.open_cohorts).
"""

from __future__ import annotations

import datetime
import operator
from dataclasses import dataclass
from functools import reduce

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.http import urlencode
from wagtail.models import Page, PageViewRestriction, Site

from cms import page_cache
from cms.models import (
    LeadershipDimension,
    ModulePage,
    ModuleProgress,
    ModuleReflection,
    ProgrammePage,
    ResourcePage,
    Topic,
)
from programmes import cache as cohort_cache
from programmes import selectors as cohort_selectors

STEPLEN = Page.steplen
# A module listing never needs the module bodies; they are most of a module's row.
LISTING_DEFER = ("body", "learning_outcomes")
RESOURCES_PER_PAGE = 20


# --------------------------------------------------------------------------------------------
# Who may see which pages


def _restrictions_refusing(request) -> QuerySet:
    """The page view restrictions this request does not pass, as a queryset: the same rules
    as Wagtail's PageViewRestriction.accept_request, in SQL."""
    restrictions = PageViewRestriction.objects.all()
    # A request built without the session and auth middleware (a test's, a template rendered
    # for an error) counts as an anonymous visitor who has passed no password.
    session = getattr(request, "session", {})
    passed = session.get(PageViewRestriction.passed_view_restrictions_session_key, [])
    refused_password = Q(restriction_type=PageViewRestriction.PASSWORD) & ~Q(id__in=passed)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return restrictions.filter(
            ~Q(restriction_type=PageViewRestriction.PASSWORD) | refused_password
        )
    if user.is_superuser:
        return restrictions.filter(refused_password)
    refused_groups = Q(restriction_type=PageViewRestriction.GROUPS) & ~Q(
        groups__in=user.groups.all()
    )
    return restrictions.filter(refused_password | refused_groups)


def visible_pages(queryset: QuerySet, request) -> QuerySet:
    """``queryset`` without the pages in sections this request may not view, so listings
    never show a participant-only page (or its summary) to someone who would be refused it.

    A correlated subquery rather than a query of its own: no extra round trip per listing."""
    refusing_here = (
        _restrictions_refusing(request)
        .annotate(prefix=Substr(OuterRef("path"), 1, Length("page__path")))
        .filter(prefix=F("page__path"))
    )
    return queryset.exclude(Exists(refusing_here))


def hidden_paths(request) -> list[str]:
    """Tree paths of the sections this request may not view. For site search, whose backend
    filters only on indexed fields (path__startswith), not on subqueries. One query, cached on
    the request."""
    cached = getattr(request, "_cms_hidden_paths", None)
    if cached is None:
        cached = list(_restrictions_refusing(request).values_list("page__path", flat=True))
        request._cms_hidden_paths = cached
    return cached


# How long the shared copy of the main navigation is kept (site_sections). Its key changes
# whenever the navigation could, so this only bounds how long unused entries are kept.
NAVIGATION_SECONDS = 60 * 60


def _sees_what_everyone_sees(request) -> bool:
    """An anonymous visitor who has passed no page password: refused exactly the sections
    every such visitor is refused, so what they may see can be shared between them."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    session = getattr(request, "session", {})
    return not session.get(PageViewRestriction.passed_view_restrictions_session_key)


def site_sections(request) -> list[Page]:
    """The home page's live children shown in menus (the programme index, the resource
    library...) that this request may view, in tree order: the main navigation. One query,
    cached on the request, so a page that also needs a section's link (the home page links
    the resource library) costs nothing more.

    For anonymous visitors (most of them) the list is also kept in Django's cache, keyed by
    the site's content version (cms.page_cache), which every publish, unpublish, move,
    deletion and change of view restriction bumps: fragment caching of the navigation's
    data, so a page shows the same menu as it would have without it. Signed-in people and
    anyone who has passed a page password always get their own query."""
    cached = getattr(request, "_cms_site_sections", None)
    if cached is None:
        site = Site.find_for_request(request)
        # Wagtail caches the site root paths (Django's cache): the home page's url_path
        # without a query.
        root = next((r for r in Site.get_site_root_paths() if site and r.site_id == site.pk), None)
        cached = []
        if root is not None:
            shared_key = None
            if _sees_what_everyone_sees(request):
                shared_key = f"tandem:nav:{page_cache._version()}:{site.pk}:{root.root_path}"
                cached = cache.get(shared_key)
            if cached is None or shared_key is None:
                cached = list(
                    visible_pages(
                        Page.objects.live()
                        .in_menu()
                        .filter(
                            url_path__startswith=root.root_path,
                            depth=root.root_path.count("/") + 1,
                        )
                        .select_related("content_type")
                        .only(
                            "title",
                            "url_path",
                            "path",
                            "depth",
                            "content_type__app_label",
                            "content_type__model",
                        )
                        .order_by("path"),
                        request,
                    )
                )
                if shared_key is not None:
                    cache.set(shared_key, cached, NAVIGATION_SECONDS)
        request._cms_site_sections = cached
    return cached


def breadcrumb_ancestors(page: Page) -> list[Page]:
    """The pages from the site's home page down to ``page``'s parent (the tree root, depth 1,
    is never shown)."""
    if page.depth <= 2:
        return []
    return list(page.get_ancestors().filter(depth__gte=2).only("title", "url_path", "depth"))


# --------------------------------------------------------------------------------------------
# Progress


def _signed_in(person) -> bool:
    return person is not None and getattr(person, "is_authenticated", False)


def modules_completed_by(person, programme: ProgrammePage | None = None) -> QuerySet:
    """The modules ``person`` has marked complete, as a queryset of ModulePage in tree order.

    With ``programme``, only that programme's modules. Only live modules count: a module an
    editor has unpublished drops out until it is published again (the mark itself is kept).
    Programme completion rules ("complete at least N modules", "complete these modules")
    are built on this, e.g. ``modules_completed_by(person, programme).count()``.
    """
    if not _signed_in(person):
        return ModulePage.objects.none()
    modules = ModulePage.objects.live().filter(progress_marks__person=person)
    if programme is not None:
        modules = modules.child_of(programme)
    return modules.order_by("path")


def modules_completed_by_people(person_ids: list[int], programme) -> dict[int, set[int]]:
    """{person id: ids of the live modules of ``programme`` (a programmes.Programme, whose
    ``page_id`` is its ProgrammePage) each has marked complete}: one query, for evaluating a
    whole cohort's completion rules (registered with programmes at start-up: cms.apps)."""
    if not person_ids or programme.page_id is None:
        return {}
    try:
        page = ProgrammePage.objects.get(pk=programme.page_id)
    except ProgrammePage.DoesNotExist:
        return {}
    rows = ModuleProgress.objects.filter(
        person_id__in=person_ids,
        module__in=ModulePage.objects.live().child_of(page),
    ).values_list("person_id", "module_id")
    done: dict[int, set[int]] = {}
    for person_id, module_id in rows:
        done.setdefault(person_id, set()).add(module_id)
    return done


def completed_module_ids(person, modules) -> set[int]:
    """Which of ``modules`` (pages already loaded) ``person`` has completed: one query."""
    ids = [module.pk for module in modules if module.pk]
    if not _signed_in(person) or not ids:
        return set()
    return set(
        ModuleProgress.objects.filter(person=person, module_id__in=ids).values_list(
            "module_id", flat=True
        )
    )


def reflections_on(person, module) -> list[ModuleReflection]:
    """``person``'s own reflections on ``module``, newest first. Nobody else's, ever."""
    if not _signed_in(person) or not module.pk:
        return []
    return list(ModuleReflection.objects.filter(person=person, module_id=module.pk))


@dataclass
class ProgrammeProgress:
    programme: ProgrammePage
    modules: list[ModulePage]
    completed_ids: set[int]

    @property
    def completed_count(self) -> int:
        return sum(1 for m in self.modules if m.pk in self.completed_ids)

    @property
    def total(self) -> int:
        return len(self.modules)

    @property
    def percent(self) -> int:
        return round(100 * self.completed_count / self.total) if self.total else 0

    @property
    def next_module(self) -> ModulePage | None:
        return next((m for m in self.modules if m.pk not in self.completed_ids), None)


def learning_overview(person) -> list[ProgrammeProgress]:
    """Each programme in which ``person`` has completed at least one module, with all its
    live modules and which are done. Three queries, however many programmes and modules."""
    if not _signed_in(person):
        return []
    marks = list(
        ModuleProgress.objects.filter(person=person, module__live=True).values_list(
            "module_id", "module__path"
        )
    )
    if not marks:
        return []
    programme_paths = {path[:-STEPLEN] for _, path in marks}
    programmes = list(
        ProgrammePage.objects.live().filter(path__in=programme_paths).defer(*LISTING_DEFER)
    )
    if not programmes:
        return []
    modules = (
        ModulePage.objects.live()
        .filter(
            reduce(
                operator.or_,
                (Q(path__startswith=p.path, depth=p.depth + 1) for p in programmes),
            )
        )
        .defer(*LISTING_DEFER)
        .order_by("path")
    )
    by_programme: dict[str, list[ModulePage]] = {p.path: [] for p in programmes}
    for module in modules:
        by_programme[module.path[:-STEPLEN]].append(module)
    completed = {module_id for module_id, _ in marks}
    return [
        ProgrammeProgress(programme=p, modules=by_programme[p.path], completed_ids=completed)
        for p in sorted(programmes, key=lambda p: p.path)
    ]


def recent_reflections(person, limit: int = 20) -> list[ModuleReflection]:
    if not _signed_in(person):
        return []
    return list(
        ModuleReflection.objects.filter(person=person)
        .select_related("module")
        .defer(*(f"module__{name}" for name in LISTING_DEFER))[:limit]
    )


# --------------------------------------------------------------------------------------------
# Cohorts: the hook for programmes/


@dataclass(frozen=True)
class OpenCohort:
    """What a programme page shows of a cohort open for enrolment."""

    name: str
    starts_on: datetime.date
    ends_on: datetime.date
    host: str  # the hosting trust's name
    enrol_url: str
    enrolment_closes_on: datetime.date | None = None
    places_left: int | None = None
    # Places a clinician / a manager could take now: reserved places count only for their
    # group until enrolment closes (programmes.seats).
    places_left_for_clinicians: int | None = None
    places_left_for_managers: int | None = None


def open_cohorts_for_programme(programme: ProgrammePage, *, request=None) -> list[OpenCohort]:
    """The cohorts of ``programme`` open for enrolment now, soonest first, with the places
    left for each group: ``programmes.selectors.open_cohorts``, one query, fresh on every
    call (programmes/ refers to the page by the string "cms.ProgrammePage" and never imports
    cms, so this maps its listing to what the page shows).

    Places left change with every enrolment, and the list itself when a window opens or
    closes, so a page cached for anonymous visitors (``request`` given) records this
    programme's cohort-listing version and next change time first (programmes.cache): an
    enrolment makes this programme's cached page stale, and no other's, and no copy
    outlives the next window opening or closing.
    """
    # Only a page that is going to be stored needs to know when it changes by itself (one
    # more query); signed-in visitors' pages never are.
    if request is not None and getattr(request, "_tandem_page_cache_depends", None) is not None:
        page_cache.depends_on(
            request,
            cohort_cache.cohort_listing_version(programme.pk),
            changes_at=cohort_cache.cohort_listing_changes_at(programme.pk),
        )
    if not programme.pk:  # a preview of an unsaved page has no cohorts
        return []
    return [
        OpenCohort(
            name=listing.cohort.name,
            starts_on=listing.cohort.starts_on,
            ends_on=listing.cohort.ends_on,
            host=listing.cohort.host_trust.name,
            enrol_url=listing.cohort.enrol_url,
            enrolment_closes_on=timezone.localdate(listing.cohort.enrolment_closes_at),
            places_left=listing.places_left,
            places_left_for_clinicians=listing.places_left_for_clinicians,
            places_left_for_managers=listing.places_left_for_managers,
        )
        for listing in cohort_selectors.open_cohorts(programme_page_id=programme.pk)
    ]


# --------------------------------------------------------------------------------------------
# Page contexts


# How long shared listing data is kept (shared_listing). Its key changes whenever the data
# could, so this only bounds how long unused entries are kept.
SHARED_LISTING_SECONDS = 60 * 60


def shared_listing(name: str, page: Page, request, compute):
    """``compute()``, shared between anonymous visitors through Django's cache.

    For data about a published page that every anonymous visitor who has passed no page
    password sees alike (a module's place in its programme, a programme's module list), never
    anyone's progress. Keyed by the page's revision and the site's content version
    (cms.page_cache), which every publish, unpublish, move, deletion and change of view
    restriction, topic or dimension bumps: fragment caching, so the page shows what it would
    without it. Previews and signed-in people always compute their own."""
    if (
        not page.pk
        or getattr(request, "is_preview", False)
        or not _sees_what_everyone_sees(request)
    ):
        return compute()
    key = f"tandem:{name}:{page_cache._version()}:{page.pk}:{page.latest_revision_id}:{page.path}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, SHARED_LISTING_SECONDS)
    return value


def _module_surroundings(module: ModulePage, request) -> dict:
    """Where ``module`` sits in its programme (from the modules this request may view), its
    topics, dimensions and live related modules: four queries."""
    siblings = list(
        visible_pages(
            ModulePage.objects.live().filter(
                depth=module.depth, path__startswith=module.path[:-STEPLEN]
            ),
            request,
        )
        # Only what the pager shows (a link and a title) and what finds this module's place.
        .only("title", "url_path", "path")
        .order_by("path")
    )
    position = next((i for i, m in enumerate(siblings) if m.pk == module.pk), None)
    previous_module = siblings[position - 1] if position else None
    next_module = (
        siblings[position + 1] if position is not None and position + 1 < len(siblings) else None
    )

    links = module.related_module_links.all()
    if isinstance(links, QuerySet):  # a preview's unsaved page holds them in memory instead
        links = links.select_related("related_module").only(
            "page",
            "sort_order",
            "related_module__title",
            "related_module__url_path",
            "related_module__live",
        )
    related = [link.related_module for link in links if link.related_module.live]
    return {
        "topic_list": list(module.topics.all()),
        "dimensions": list(module.leadership_dimensions.all()),
        "related_modules": related,
        "module_number": position + 1 if position is not None else None,
        "module_count": len(siblings),
        "previous_module": previous_module,
        "next_module": next_module,
    }


def module_page_context(module: ModulePage, request, ancestors: list[Page]) -> dict:
    """What a module page shows beyond its own fields: where it sits in its programme, its
    topics, dimensions and related modules, and the requesting person's own progress.
    ``ancestors`` are the page's breadcrumbs (already loaded); the last is its programme.

    For anonymous visitors the published module's surroundings (never anyone's progress) are
    kept in Django's cache, keyed by the module's revision and the site's content version
    (cms.page_cache), which every publish, unpublish, move, deletion, change of view
    restriction, topic or dimension bumps: fragment caching of data every such visitor
    sees alike. Previews and signed-in people always get their own queries."""
    person = request.user
    surroundings = shared_listing(
        "module-context", module, request, lambda: _module_surroundings(module, request)
    )

    context = {
        **surroundings,
        "programme": ancestors[-1] if ancestors else None,
        "progress": None,
        "reflections": [],
        "sign_in_url": f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path()})}",
    }
    if _signed_in(person) and module.pk:
        context["progress"] = ModuleProgress.objects.filter(
            person=person, module_id=module.pk
        ).first()
        context["reflections"] = reflections_on(person, module)
    return context


def resource_library_context(index, request) -> dict:
    """The library's resources, filtered by ?topic=<slug>. An unknown topic is not an error:
    the page says there is no such topic and lists nothing."""
    requested = request.GET.get("topic", "").strip()[:80]
    resources_here = Q(resources__live=True, resources__path__startswith=index.path)
    # Meta.ordering does not apply to aggregating queries: order explicitly.
    topics = list(
        Topic.objects.annotate(resource_count=Count("resources", filter=resources_here)).order_by(
            "name"
        )
    )
    selected = next((t for t in topics if t.slug == requested), None) if requested else None

    resources = ResourcePage.objects.none()
    if not requested or selected:
        resources = visible_pages(ResourcePage.objects.live().child_of(index), request)
        if selected:
            resources = resources.filter(topics=selected)
        resources = resources.prefetch_related("topics").order_by("title")
    page_obj = Paginator(resources, RESOURCES_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "topics": [t for t in topics if t.resource_count or t is selected],
        "selected_topic": selected,
        "requested_topic": requested,
        "unknown_topic": bool(requested) and selected is None,
        "resources": page_obj,
    }


def leadership_dimensions_developed(programme_page_id: int | None) -> list[dict]:
    """The Healthcare Leadership Model dimensions a programme's live modules develop, in the
    model's order, as [{"slug", "name", "description"}] (what a certificate records and its
    Open Badges achievement aligns to). Two queries: the page, then the dimensions."""
    if programme_page_id is None:
        return []
    page = ProgrammePage.objects.filter(pk=programme_page_id).first()
    if page is None:
        return []
    return list(
        LeadershipDimension.objects.filter(
            modules__in=ModulePage.objects.live().child_of(page).values("pk")
        )
        .distinct()
        .order_by("sort_order")
        .values("slug", "name", "description")
    )
