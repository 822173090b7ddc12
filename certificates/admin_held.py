"""Admin → Certificates → Find a certificate (/admin/certificates/held/): the certificates a
member of staff keeps records of, each with its download — for a trust's **reporting
leads**, the certificates of their trust's people (those it sent on a programme and those who
work for it now); for a host trust's **programme administrators**, those of the cohorts their
trust runs (the cohort pages have them cohort by cohort; here they are searchable across
cohorts); superusers, every one.

Which certificates is the download's own rule (certificates.permissions
``certificates_downloadable_as_staff``), so the page lists exactly what
/learn/certificates/<code>/download/ serves the user, and the download — audited there as an
export of someone's certificate — is the only way a file leaves. Filters (programme, status,
name or code) only narrow that scope: another trust's programme or a name from another trust
finds nothing. A user who keeps no one's certificates (an editor, a regional lead) is refused.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator

from people.models import Trust
from people.permissions import administered_trust_ids, reported_trust_ids

from .admin_selectors import (
    KEPT_STATUSES,
    kept_certificates,
    kept_programmes,
    may_administer_certificates,
)
from .admin_views import _Base
from .permissions import may_keep_certificates

PAGE_SIZE = 50


class KeptFilterForm(forms.Form):
    search = forms.CharField(
        label="Name or certificate code",
        required=False,
        max_length=200,
        strip=True,
    )
    programme = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, choices=[("", "Any programme")]
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *KEPT_STATUSES], required=False)

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the programmes of the certificates one keeps (read once, as a list): any other
        # id, another trust's programme included, is "not one of the choices".
        self.fields["programme"].choices = [
            ("", "Any programme"),
            *((str(programme.pk), programme.title) for programme in programmes),
        ]

    def filters(self) -> dict:
        """What is valid of the filters; an invalid value (a hand-edited address) is shown as
        an error on the form and ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "programme_id": data.get("programme"),
            "status": data.get("status") or "",
            "search": data.get("search") or "",
        }


class KeptCertificatesView(_Base):
    template_name = "certificates/admin/held.html"
    page_title = "Find a certificate"

    def dispatch(self, request, *args, **kwargs):
        if not may_keep_certificates(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        # The Certificates index lists the cohorts one administers: a reporting lead's
        # breadcrumb leaves it out.
        if may_administer_certificates(self.request.user):
            return super().get_breadcrumbs_items()
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def extra_breadcrumbs(self):
        return [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        user = self.request.user
        form = KeptFilterForm(self.request.GET or None, programmes=kept_programmes(user))
        filters = form.filters()
        page = Paginator(kept_certificates(user, **filters), PAGE_SIZE).get_page(
            self.request.GET.get("p")
        )
        query = self.request.GET.copy()
        query.pop("p", None)
        reported, administered = reported_trust_ids(user), administered_trust_ids(user)
        names = dict(Trust.objects.filter(pk__in=reported | administered).values_list("pk", "name"))
        return super().get_context_data(
            filter_form=form,
            page=page,
            filtered=any(filters.values()),
            query=query.urlencode(),
            reported=sorted(names[pk] for pk in reported if pk in names),
            administered=sorted(names[pk] for pk in administered if pk in names),
            **kwargs,
        )
