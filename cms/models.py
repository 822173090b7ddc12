from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The site's front door. The CMS issue adds programme, module and resource pages."""

    strapline = models.CharField(max_length=255, blank=True)
    intro = RichTextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("strapline"), FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "home page"
