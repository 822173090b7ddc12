"""Admin form for module pages: checks that need the whole form, child formsets included."""

from wagtail.admin.forms import WagtailAdminPageForm


class ModulePageAdminForm(WagtailAdminPageForm):
    def clean(self):
        cleaned_data = super().clean()
        links = self.formsets.get("related_module_links")
        # The link's own model clean cannot see this: a new link's page is only set on save.
        if links is not None and self.instance.pk and links.is_valid():
            for form in links.forms:
                data = getattr(form, "cleaned_data", {})
                related = data.get("related_module")
                if (
                    related is not None
                    and not data.get("DELETE")
                    and related.pk == self.instance.pk
                ):
                    form.add_error("related_module", "A module cannot be related to itself.")
                    self.add_error(None, "A module cannot be related to itself.")
        return cleaned_data
