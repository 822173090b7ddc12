"""The audit log in the Wagtail admin: superusers only, filterable, paginated, exportable."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import BaseListingView
from wagtail.admin.widgets.button import HeaderButton

from . import services
from .csv_export import csv_line
from .models import AuditAction, AuditEvent

LOCAL_TIME_FORMAT = "%d %b %Y %H:%M:%S"
# The largest id a database stores (PostgreSQL's bigint, SQLite's INTEGER; SQLite raises
# OverflowError beyond it).
LARGEST_ID = 2**63 - 1


class PersonField(forms.CharField):
    """An email address, a name, or a person id: digits only if they can be an id. ('²' is a
    digit to str.isdigit() but not to int(); 25 digits are no one's id.)"""

    def validate(self, value):
        super().validate(value)
        value = (value or "").strip()
        if value.isdigit() and not (value.isascii() and int(value) <= LARGEST_ID):
            raise ValidationError("A person id is a number of at most 19 digits, 0 to 9.")


class PersonFilter(django_filters.CharFilter):
    field_class = PersonField


def _person_filter(prefix: str, value: str) -> dict:
    """A lookup for 'the person': an id (digits), an email address, or a name as recorded."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        return {f"{prefix}_id": int(value)}
    if "@" in value:
        email = value.lower()
        if prefix == "actor":
            # The copied address survives the account's erasure or deletion, and is indexed.
            return {"actor_email": email}
        ids = get_user_model().objects.filter(email=email).values_list("pk", flat=True)
        return {"subject_id__in": list(ids)}
    return {f"{prefix}_label__iexact": value}


class AuditEventFilterSet(WagtailFilterSet):
    created_at = django_filters.DateFromToRangeFilter(label="Date", widget=DateRangePickerWidget)
    action = django_filters.ChoiceFilter(
        label="Action", choices=AuditAction.choices, widget=forms.RadioSelect, empty_label="All"
    )
    actor = PersonFilter(
        label="Who acted (email address, person id or full name)", method="filter_person"
    )
    subject = PersonFilter(
        label="Whose data (email address, person id or full name)", method="filter_person"
    )

    class Meta:
        model = AuditEvent
        fields = []

    def filter_person(self, queryset, name, value):
        if not value or not value.strip():
            return queryset
        return queryset.filter(**_person_filter(name, value))


def _when(event: AuditEvent) -> str:
    return timezone.localtime(event.created_at).strftime(LOCAL_TIME_FORMAT)


def _actor(event: AuditEvent) -> str:
    if event.actor_email and event.actor_email != event.actor_label:
        return f"{event.actor_label} <{event.actor_email}>"
    return event.actor_label


def _subject(event: AuditEvent) -> str:
    if event.subject_id is None:
        return ""
    return f"{event.subject_label} (#{event.subject_id})"


def _target(event: AuditEvent) -> str:
    if not event.target_object_id:
        return ""
    return f"{event.target_type_label}: {event.target_label}"


def _detail(event: AuditEvent) -> str:
    return ", ".join(f"{key}: {value}" for key, value in event.detail.items())


class SuperuserOnlyMixin:
    """The audit log shows everyone's activity: superusers only, and refusals are audited."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            services.record(
                action=AuditAction.REFUSED,
                actor=request.user,
                request=request,
                detail={"view": "audit log"},
            )
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AuditEventIndexView(SuperuserOnlyMixin, BaseListingView):
    model = AuditEvent
    page_title = "Audit log"
    header_icon = "list-ul"
    paginate_by = 50
    filterset_class = AuditEventFilterSet
    index_url_name = "audit_log:index"
    index_results_url_name = "audit_log:index_results"
    verbose_name = "audit event"
    verbose_name_plural = "audit events"
    columns = [
        Column("created_at", label="When", accessor=_when),
        Column("action", label="Action", accessor="get_action_display"),
        Column("actor", label="Who", accessor=_actor),
        Column("subject", label="Whose data", accessor=_subject),
        Column("target", label="Record", accessor=_target),
        Column("ip_address", label="From", accessor="ip_address"),
        Column("detail", label="Detail", accessor=_detail),
    ]

    def get_base_queryset(self):
        # Labels are copied into each row, so the page needs one join (the target's type,
        # cached by ContentType's manager anyway) and no per-row queries.
        return AuditEvent.objects.select_related("target_content_type").order_by(
            "-created_at", "-id"
        )

    @cached_property
    def header_buttons(self):
        query = self.request.GET.copy()
        for key in (self.page_kwarg, "_w_filter_fragment"):
            query.pop(key, None)
        url = reverse("audit_log:export")
        if query:
            url = f"{url}?{query.urlencode()}"
        return [HeaderButton("Download CSV", url=url, icon_name="download")]


EXPORT_COLUMNS = (
    "when",
    "action",
    "actor_id",
    "actor_email",
    "actor_name",
    "ip_address",
    "user_agent",
    "record_type",
    "record_id",
    "record",
    "subject_id",
    "subject",
    "trust_id",
    "detail",
)


def _export_row(event: AuditEvent) -> list:
    return [
        timezone.localtime(event.created_at).isoformat(),
        event.action,
        event.actor_id,
        event.actor_email,
        event.actor_label,
        event.ip_address,
        event.user_agent,
        event.target_type_label,
        event.target_object_id,
        event.target_label,
        event.subject_id,
        event.subject_label,
        event.trust_id,
        event.detail,
    ]


def audit_log_export(request):
    """The filtered audit log as CSV. The export is itself audited before any row leaves."""
    if not request.user.is_superuser:
        services.record(
            action=AuditAction.REFUSED,
            actor=request.user,
            request=request,
            detail={"view": "audit log export"},
        )
        raise PermissionDenied
    filterset = AuditEventFilterSet(
        data=request.GET,
        queryset=AuditEvent.objects.select_related("target_content_type").order_by(
            "-created_at", "-id"
        ),
        request=request,
    )
    if not filterset.is_valid():
        # The listing shows the form's errors and ignores a bad filter; a download must not
        # quietly export more than was asked for.
        problems = "; ".join(
            f"{filterset.form.fields[name].label if name in filterset.form.fields else name}: "
            f"{' '.join(errors)}"
            for name, errors in filterset.errors.items()
        )
        return HttpResponseBadRequest(
            f"Nothing was exported: {problems}", content_type="text/plain; charset=utf-8"
        )
    queryset = filterset.qs
    # What was asked for, as typed (the date range arrives as created_at_from / _to).
    names = tuple(filterset.filters)
    filters = {k: v.strip() for k, v in request.GET.items() if k.startswith(names) and v.strip()}
    services.record(
        action=AuditAction.EXPORTED,
        actor=request.user,
        request=request,
        detail={"export": "audit log", "filters": filters, "rows": queryset.count()},
    )

    def lines():
        yield csv_line(EXPORT_COLUMNS)
        for event in queryset.iterator(chunk_size=2000):
            yield csv_line(_export_row(event))

    filename = f"tandem-audit-log-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
