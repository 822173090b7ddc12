"""Demo content for `manage.py seed_demo`: the "Leading Together" programme, its six modules
and a small resource library, written to be read. One module of this package per page
of content (module_budgets.py ...); this one puts them in the page tree.

The step (seed_content, listed in demo.seed.STEPS) keeps demo.run's rules: pages are found by
slug under their parent and created only when missing, so a rerun adds nothing and never
overwrites what an editor has since changed; each page is created with add_child and published
through a revision, as an editor's would be.

The content follows how the NHS in England works (budget statements, establishments, CIPs,
job plans, the five-case model, PDSA) and the findings of the Institute of Healthcare
Management's paper on clinicians and managers (PRODUCT.md §1). People and organisations in the
case studies are fictional.
"""

from django.core.files.base import ContentFile
from wagtail.models import Page, PageViewRestriction, Site

from cms.models import (
    HomePage,
    LeadershipDimension,
    ModulePage,
    ModuleRelatedLink,
    ProgrammeIndexPage,
    ProgrammePage,
    ResourceIndexPage,
    ResourcePage,
    Topic,
)
from demo.run import SeedError, SeedRun

from .module_budgets import MODULE_BUDGETS
from .module_business import MODULE_BUSINESS
from .module_change import MODULE_CHANGE
from .module_quality import MODULE_QI
from .module_roles import MODULE_ROLES
from .module_staff import MODULE_STAFF
from .programme import PROGRAMME, PROGRAMME_INDEX
from .resources import BUDGET_TEMPLATE_DOCUMENT, RESOURCE_INDEX, RESOURCES, budget_template_csv

MODULES = [MODULE_BUDGETS, MODULE_STAFF, MODULE_BUSINESS, MODULE_CHANGE, MODULE_QI, MODULE_ROLES]

RELATED = {  # module slug -> related module slugs
    MODULE_BUDGETS["slug"]: [MODULE_BUSINESS["slug"], MODULE_STAFF["slug"]],
    MODULE_STAFF["slug"]: [MODULE_BUDGETS["slug"], MODULE_CHANGE["slug"]],
    MODULE_BUSINESS["slug"]: [MODULE_BUDGETS["slug"], MODULE_QI["slug"]],
    MODULE_CHANGE["slug"]: [MODULE_ROLES["slug"], MODULE_QI["slug"]],
    MODULE_QI["slug"]: [MODULE_CHANGE["slug"], MODULE_BUSINESS["slug"]],
    MODULE_ROLES["slug"]: [MODULE_CHANGE["slug"], MODULE_STAFF["slug"]],
}


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _child(parent: Page, model, slug: str):
    return model.objects.child_of(parent).filter(slug=slug).first()


def _ensure_document(run):
    from wagtail.documents import get_document_model

    Document = get_document_model()
    document = Document.objects.filter(title=BUDGET_TEMPLATE_DOCUMENT).first()
    if document is None:
        document = Document(title=BUDGET_TEMPLATE_DOCUMENT)
        document.file.save(
            "ward-budget-review-template.csv", ContentFile(budget_template_csv()), save=False
        )
        document.save()
        run.created["documents"] += 1
    return document


def seed_content(run: SeedRun) -> None:
    """Create the programme index, Leading Together and its modules, and the resource
    library, under the default site's home page. Pages that exist (by slug) are left alone."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None or not isinstance(site.root_page.specific, HomePage):
        raise SeedError("The default site has no Tandem home page: run `manage.py migrate`.")
    home = site.root_page.specific
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    dimensions = {d.slug: d for d in LeadershipDimension.objects.all()}
    missing = {slug for m in MODULES for slug in m["topics"]} - set(topics)
    if missing or not dimensions:
        raise SeedError("Topics or leadership dimensions are missing: run `manage.py migrate`.")

    def created(page):
        run.created["pages"] += 1
        return page

    index = _child(home, ProgrammeIndexPage, PROGRAMME_INDEX["slug"]) or created(
        _publish(
            home,
            ProgrammeIndexPage(
                title=PROGRAMME_INDEX["title"],
                slug=PROGRAMME_INDEX["slug"],
                intro=PROGRAMME_INDEX["intro"],
                show_in_menus=True,
            ),
        )
    )
    spec = PROGRAMME
    programme = _child(index, ProgrammePage, spec["slug"]) or created(
        _publish(
            index,
            ProgrammePage(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                for_clinicians=spec["for_clinicians"],
                for_managers=spec["for_managers"],
                learning_outcomes=spec["learning_outcomes"],
                format=spec["format"],
                duration=spec["duration"],
                cpd_hours=spec["cpd_hours"],
                body=spec["body"],
            ),
        )
    )

    modules = {}
    new_modules = []
    for spec in MODULES:
        module = _child(programme, ModulePage, spec["slug"])
        if module is None:
            module = ModulePage(
                title=spec["title"],
                slug=spec["slug"],
                summary=spec["summary"],
                estimated_minutes=spec["minutes"],
                learning_outcomes=spec["learning_outcomes"],
                body=spec["body"],
            )
            module.topics = [topics[slug] for slug in spec["topics"]]
            module.leadership_dimensions = [dimensions[slug] for slug in spec["dimensions"]]
            programme.add_child(instance=module)
            new_modules.append(module)
        modules[spec["slug"]] = module
    # Related modules point at each other, so new modules are published once all exist, with
    # their links in the published revision (as an editor's InlinePanel would save them).
    for module in new_modules:
        module.related_module_links = [
            ModuleRelatedLink(related_module=modules[slug], sort_order=order)
            for order, slug in enumerate(RELATED.get(module.slug, []))
        ]
        module.save_revision().publish()
        created(module)

    library = _child(home, ResourceIndexPage, RESOURCE_INDEX["slug"]) or created(
        _publish(
            home,
            ResourceIndexPage(
                title=RESOURCE_INDEX["title"],
                slug=RESOURCE_INDEX["slug"],
                intro=RESOURCE_INDEX["intro"],
                show_in_menus=True,
            ),
        )
    )
    for spec in RESOURCES:
        if _child(library, ResourcePage, spec["slug"]) is not None:
            continue
        resource = ResourcePage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            resource_type=spec["resource_type"],
            body=spec["body"],
            document=_ensure_document(run) if spec.get("document") else None,
        )
        resource.topics = [topics[slug] for slug in spec["topics"]]
        created(_publish(library, resource))
        if spec.get("participants_only"):
            PageViewRestriction.objects.create(
                page=resource, restriction_type=PageViewRestriction.LOGIN
            )
