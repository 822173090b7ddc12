"""The two ways content is classified: topics (a taxonomy editors manage) and the NHS
Healthcare Leadership Model's nine dimensions (fixed; seeded by migration, not editable)."""

from django.db import models
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Topic(index.Indexed, models.Model):
    """A subject of joint management training: budgets and finance, staff management...

    Modules and resources are tagged with topics; the resource library and site search filter
    by them (?topic=<slug>). Editors add topics as Wagtail snippets; the first six come from
    migration cms.0004 (the areas the IHM paper names, plus quality improvement and working
    across professions)."""

    name = models.CharField(
        max_length=80,
        unique=True,
        error_messages={"unique": "A topic with this name already exists."},
    )
    slug = models.SlugField(
        max_length=80,
        unique=True,
        blank=True,
        help_text="Used in web addresses, e.g. ?topic=budgets-and-finance. "
        "Leave empty to make it from the name.",
        error_messages={"unique": "Another topic already uses this web address."},
    )
    description = models.TextField(
        blank=True, help_text="One sentence shown in the resource library's topic filter."
    )

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not self.slug:
            self.slug = slugify(self.name)[:80]


class LeadershipDimension(models.Model):
    """One of the nine dimensions of the NHS Healthcare Leadership Model (PRODUCT.md §3).

    A fixed list, seeded by migration cms.0004 and deliberately not editable in the admin:
    self-assessments and reports compare people against the same nine, so a module's tags
    must use them, not local variations."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60, unique=True)
    description = models.CharField(max_length=255, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order"]

    def __str__(self):
        return self.name
