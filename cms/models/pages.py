"""The page tree editors build in the Wagtail admin.

    HomePage (the site root, one per site)
    ├── ProgrammeIndexPage          "Programmes"
    │   └── ProgrammePage           e.g. "Leading Together"
    │       └── ModulePage          e.g. "NHS budgets and financial management"
    ├── ResourceIndexPage           "Resource library"
    │   └── ResourcePage
    └── InformationPage             "Privacy notice", "Accessibility statement", "Contact us"

parent_page_types/subpage_types on every model keep pages in their place: the admin offers
only the types allowed under a parent, and refuses the others with a validation message.
Listings are single queries over the tree (child_of/descendant_of on path), so a programme
page costs the same with 6 modules as with 60.
"""

from decimal import Decimal

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.cache import patch_cache_control
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.admin_forms import ModulePageAdminForm
from cms.blocks import ContentStreamBlock, LearningOutcomesBlock, LearningStreamBlock

SUMMARY_HELP = "One or two sentences, shown in listings and search results."


class PersonalisedPageMixin:
    """For pages that show a signed-in person their own progress: their copy of the page
    must never be stored by a shared cache (anonymous copies may be)."""

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return response


class BreadcrumbsMixin:
    def get_context(self, request, *args, **kwargs):
        from cms.selectors import breadcrumb_ancestors

        context = super().get_context(request, *args, **kwargs)
        routed = getattr(request, "_cms_breadcrumbs", None)  # HomePage.route's, if it served
        if routed is not None and routed[:2] == (self.pk, self.path):
            context["breadcrumbs"] = routed[2]
        else:
            context["breadcrumbs"] = breadcrumb_ancestors(self)
        return context


# --------------------------------------------------------------------------------------------
# Home


class HomePage(Page):
    """The site's front door: who Tandem is for, the programmes, the resource library."""

    strapline = models.CharField(max_length=255, blank=True)
    intro = RichTextField(blank=True)
    body = StreamField(ContentStreamBlock(), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("strapline"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.ProgrammeIndexPage", "cms.ResourceIndexPage", "cms.InformationPage"]
    max_count = 1

    class Meta:
        verbose_name = "home page"

    def route(self, request, path_components):
        """Wagtail's routing, in two queries whatever the depth: Wagtail's own walks the tree
        one level at a time, with a query for each child and another for its .specific (eight
        for a module page). url_path is the page's slugs from the site root, which Wagtail
        keeps up to date on every save and move, so the pages a path names are the ones whose
        url_path is one of its prefixes. Anything unusual (a missing level, a duplicate slug,
        a page type on the way with routing of its own) falls back to Wagtail's walk, so 404s
        and custom routes behave exactly as before."""
        if not path_components:
            return super().route(request, path_components)
        prefixes = [
            self.url_path + "".join(f"{c}/" for c in path_components[:n])
            for n in range(1, len(path_components) + 1)
        ]
        chain = list(
            Page.objects.filter(
                url_path__in=prefixes, path__startswith=self.path, depth__gt=self.depth
            )
            .only("title", "url_path", "path", "depth", "content_type")
            .order_by("depth")
        )
        depths = [page.depth for page in chain]
        if depths != list(range(self.depth + 1, self.depth + 1 + len(path_components))):
            return super().route(request, path_components)
        classes = [ContentType.objects.get_for_id(p.content_type_id).model_class() for p in chain]
        # Each page on the way would otherwise have been asked to route the rest of the path.
        if any(cls is None or cls.route is not Page.route for cls in classes[:-1]):
            return super().route(request, path_components)
        target = classes[-1]
        if target is None:
            return super().route(request, path_components)
        page = target.objects.get(pk=chain[-1].pk)
        if self.depth == 2:
            # The breadcrumbs (BreadcrumbsMixin) are this page and the pages on the way: they
            # were just loaded, so the page need not query its ancestors again.
            request._cms_breadcrumbs = (page.pk, page.path, [self, *chain[:-1]])
        return page.route(request, [])

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import site_sections, visible_pages

        context = super().get_context(request, *args, **kwargs)
        context["programmes"] = visible_pages(
            ProgrammePage.objects.live().descendant_of(self).order_by("path"), request
        )
        # The library is one of the sections the main navigation lists: no query of its own.
        library = ("cms", "resourceindexpage")
        context["resource_library"] = next(
            (
                section
                for section in site_sections(request)
                if (section.content_type.app_label, section.content_type.model) == library
            ),
            None,
        )
        return context


# --------------------------------------------------------------------------------------------
# Programmes and modules


class ProgrammeIndexPage(BreadcrumbsMixin, Page):
    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ProgrammePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = "programme index"

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import visible_pages

        context = super().get_context(request, *args, **kwargs)
        context["programmes"] = visible_pages(
            ProgrammePage.objects.live().child_of(self).order_by("path"), request
        )
        return context


class ProgrammePage(PersonalisedPageMixin, BreadcrumbsMixin, Page):
    """A programme clinicians and managers take together. Its modules are its child pages,
    in the order editors arrange them; its cohorts (when enrolment exists) come from
    programmes/ through cms.selectors.open_cohorts_for_programme."""

    summary = models.TextField(max_length=400, help_text=SUMMARY_HELP)
    for_clinicians = models.TextField(
        "for clinicians",
        help_text="Who it is for and what they gain: doctors, nurses, midwives, allied health "
        "professionals, healthcare scientists, pharmacists.",
    )
    for_managers = models.TextField(
        "for managers", help_text="Who it is for and what they gain: managers at every level."
    )
    learning_outcomes = StreamField(LearningOutcomesBlock())
    format = models.CharField(
        max_length=255,
        help_text="How it is delivered, e.g. 'Six half-day workshops, online modules and "
        "paired work between sessions'.",
    )
    duration = models.CharField(max_length=100, help_text="e.g. 'Six months'.")
    cpd_hours = models.DecimalField(
        "CPD hours",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("500"))],
        help_text="Continuing professional development hours a participant can claim.",
    )
    body = StreamField(ContentStreamBlock(), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("for_clinicians"), FieldPanel("for_managers")], heading="Who it is for"
        ),
        FieldPanel("learning_outcomes"),
        MultiFieldPanel(
            [FieldPanel("format"), FieldPanel("duration"), FieldPanel("cpd_hours")],
            heading="Format and time",
        ),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=1.5),
        index.SearchField("for_clinicians"),
        index.SearchField("for_managers"),
        index.SearchField("learning_outcomes"),
        index.SearchField("body"),
    ]

    parent_page_types = ["cms.ProgrammeIndexPage"]
    subpage_types = ["cms.ModulePage"]

    class Meta:
        verbose_name = "programme"

    def modules(self):
        """The live modules, in the editors' order: one query, whatever their number."""
        return ModulePage.objects.live().child_of(self).order_by("path")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import (
            completed_module_ids,
            open_cohorts_for_programme,
            shared_listing,
            visible_pages,
        )

        context = super().get_context(request, *args, **kwargs)
        # Anonymous visitors all see the same listing: shared through the cache, keyed by the
        # site's content version (fragment caching; see cms.selectors.shared_listing).
        modules = shared_listing(
            "programme-modules",
            self,
            request,
            # Only what the listing shows: bodies and Wagtail's bookkeeping stay in the database.
            lambda: list(
                visible_pages(self.modules(), request).only(
                    "title", "url_path", "path", "summary", "estimated_minutes"
                )
            ),
        )
        completed = completed_module_ids(request.user, modules)
        context.update(
            modules=modules,
            completed_ids=completed,
            completed_count=len(completed),
            open_cohorts=open_cohorts_for_programme(self, request=request),
        )
        return context


class ModulePage(PersonalisedPageMixin, BreadcrumbsMixin, Page):
    """One unit of learning: a topic, outcomes, a body of blocks, and a place for the
    signed-in learner to mark it done and keep private reflections."""

    summary = models.TextField(max_length=400, help_text=SUMMARY_HELP)
    topics = ParentalManyToManyField(
        "cms.Topic",
        related_name="modules",
        help_text="What the module is about; people filter the library and search by topic.",
    )
    leadership_dimensions = ParentalManyToManyField(
        "cms.LeadershipDimension",
        blank=True,
        related_name="modules",
        verbose_name="Healthcare Leadership Model dimensions",
        help_text="The dimensions of the NHS Healthcare Leadership Model this module develops.",
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        "estimated time (minutes)",
        validators=[MinValueValidator(5), MaxValueValidator(600)],
        help_text="How long it takes to work through, paired activity aside.",
    )
    learning_outcomes = StreamField(LearningOutcomesBlock())
    body = StreamField(LearningStreamBlock())

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                FieldPanel("leadership_dimensions", widget=forms.CheckboxSelectMultiple),
                FieldPanel("estimated_minutes"),
            ],
            heading="About this module",
        ),
        FieldPanel("learning_outcomes"),
        FieldPanel("body"),
        InlinePanel("related_module_links", label="Related modules", max_num=6),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=1.5),
        index.SearchField("learning_outcomes"),
        index.SearchField("body"),
        index.RelatedFields("topics", [index.SearchField("name")]),
    ]

    base_form_class = ModulePageAdminForm
    parent_page_types = ["cms.ProgrammePage"]
    subpage_types = []

    class Meta:
        verbose_name = "module"

    def get_context(self, request, *args, **kwargs):
        from cms.forms import ReflectionForm
        from cms.selectors import module_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(module_page_context(self, request, ancestors=context["breadcrumbs"]))
        context.setdefault("reflection_form", ReflectionForm())
        return context


class ModuleRelatedLink(Orderable):
    page = ParentalKey(ModulePage, on_delete=models.CASCADE, related_name="related_module_links")
    related_module = models.ForeignKey(ModulePage, on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("related_module")]

    def clean(self):
        super().clean()
        # Links saved outside the admin (the admin form checks new ones: cms.admin_forms).
        if self.page_id and self.related_module_id == self.page_id:
            raise ValidationError({"related_module": "A module cannot be related to itself."})


# --------------------------------------------------------------------------------------------
# Resource library


class ResourceType(models.TextChoices):
    GUIDE = "guide", "Guide"
    TEMPLATE = "template", "Template"
    TOOL = "tool", "Tool"
    READING = "reading", "Further reading"
    VIDEO = "video", "Video"


class ResourceIndexPage(BreadcrumbsMixin, Page):
    """The resource library, filterable by topic (?topic=<slug>)."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ResourcePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = "resource library"

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import resource_library_context

        context = super().get_context(request, *args, **kwargs)
        context.update(resource_library_context(self, request))
        return context


class ResourcePage(BreadcrumbsMixin, Page):
    summary = models.TextField(max_length=400, help_text=SUMMARY_HELP)
    resource_type = models.CharField(
        max_length=20, choices=ResourceType.choices, default=ResourceType.GUIDE
    )
    topics = ParentalManyToManyField("cms.Topic", related_name="resources")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The file itself, for templates and tools.",
    )
    external_url = models.URLField(
        "link", blank=True, help_text="For resources published elsewhere."
    )
    body = StreamField(ContentStreamBlock(), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("resource_type"),
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
            ],
            heading="Classification",
        ),
        MultiFieldPanel(
            [FieldPanel("document"), FieldPanel("external_url")], heading="File or link"
        ),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=1.5),
        index.SearchField("body"),
        index.RelatedFields("topics", [index.SearchField("name")]),
    ]

    parent_page_types = ["cms.ResourceIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "resource"

    def clean(self):
        super().clean()
        if not (self.body or self.document_id or self.external_url):
            raise ValidationError(
                "Add a document, a link or some content: a resource needs something to use."
            )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["topic_list"] = list(self.topics.all())
        return context


# --------------------------------------------------------------------------------------------
# Information: the pages the footer links to


class InformationPage(BreadcrumbsMixin, Page):
    """A page of plain information about the service itself: the privacy notice, the
    accessibility statement, how to get help. Migration cms.0007 creates those three; editors
    change their wording, and may add more (a page marked "show in footer" is linked from
    every page's footer, in the order of the page tree)."""

    summary = models.TextField(
        max_length=400, blank=True, help_text="One or two sentences under the title."
    )
    body = RichTextField(
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "document-link"]
    )
    show_in_footer = models.BooleanField(
        default=True, help_text="Link to this page from the footer of every page."
    )

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    promote_panels = [*Page.promote_panels, FieldPanel("show_in_footer")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = "information page"
