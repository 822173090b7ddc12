"""The programmes app's Wagtail admin: the "Programmes" menu group (Programmes, Cohorts), and
a cohort's enrolments under the Cohorts viewset's URLs. Views are in programmes.admin_views
and programmes.admin_enrolments; who may do what is their permission policies', registered
here before any viewset asks for them."""

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from . import admin_enrolments, admin_sessions, admin_views, import_views
from .models import Cohort, Programme
from .permissions import may_import_enrolments

register_permission_policy(Cohort, admin_views.COHORT_POLICY)
register_permission_policy(Programme, admin_views.PROGRAMME_POLICY)


class _RoleBasedViewSet(ModelViewSet):
    """Permissions come from the role and trust (the policies above), not from Django model
    permissions: offer none of those in the group editor, where they would do nothing."""

    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True

    def get_permissions_to_register(self):
        return Permission.objects.none()  # the group editor unions querysets


class ProgrammeViewSet(_RoleBasedViewSet):
    model = Programme
    name = "programmes"
    # "programmes" is the participant pages' namespace (programmes.urls).
    url_namespace = "programmes_admin"
    icon = "folder-open-inverse"
    menu_label = "Programmes"
    add_view_class = admin_views.ProgrammeCreateView
    edit_view_class = admin_views.ProgrammeEditView
    form_fields = [
        "title",
        "slug",
        "page",
        "cpd_hours",
        "min_attendance_percent",
        "excused_counts_as_attended",
        "min_modules_completed",
        "required_modules",
        "min_shadowing_hours",
        "certificate_template",
    ]
    list_display = ["title", "slug", "page", "cpd_hours"]
    search_fields = ["title", "slug"]


class CohortViewSet(_RoleBasedViewSet):
    model = Cohort
    name = "cohorts"
    icon = "group"
    menu_label = "Cohorts"
    index_view_class = admin_views.CohortIndexView
    add_view_class = admin_views.CohortCreateView
    edit_view_class = admin_views.CohortEditView
    inspect_view_class = admin_views.CohortInspectView
    history_view_class = admin_views.CohortHistoryView
    usage_view_class = admin_views.CohortUsageView
    filterset_class = admin_views.CohortFilterSet
    ordering = ["-starts_on", "name", "pk"]
    search_fields = ["name", "programme__title"]
    list_display = [
        "name",
        "programme",
        "host_trust",
        "starts_on",
        Column("status", label="Status", accessor="get_status_display"),
        admin_views.PlacesColumn("places", label="Places taken"),
        Column("waiting", label="Waiting"),
        admin_views.EnrolmentsLinkColumn("enrolments_link", label="Enrolments", accessor="pk"),
        admin_views.SessionsLinkColumn("sessions_link", label="Sessions", accessor="pk"),
    ]
    inspect_view_fields = [
        "programme",
        "name",
        "host_trust",
        "status",
        "starts_on",
        "ends_on",
        "enrolment_opens_at",
        "enrolment_closes_at",
        "capacity",
        "reserved_for_clinicians",
        "reserved_for_managers",
        "places",
        "requires_sponsor_approval",
        "facilitators",
    ]
    edit_handler = ObjectList(
        [
            FieldPanel("programme"),
            FieldPanel("name"),
            FieldPanel("host_trust"),
            FieldPanel(
                "status",
                help_text="Draft: being set up, not listed. Published: listed, and open for "
                "enrolment inside its window. Cancelled: nobody more can enrol or be promoted.",
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
                    FieldRowPanel(
                        [FieldPanel("enrolment_opens_at"), FieldPanel("enrolment_closes_at")]
                    ),
                ],
                heading="Dates",
            ),
            MultiFieldPanel(
                [
                    FieldPanel(
                        "capacity",
                        help_text="Raising it gives the new places to the waiting list, in "
                        "order. It cannot go below the number of people who hold a place.",
                    ),
                    FieldRowPanel(
                        [FieldPanel("reserved_for_clinicians"), FieldPanel("reserved_for_managers")]
                    ),
                    FieldPanel("requires_sponsor_approval"),
                ],
                heading="Places and the joint mix",
            ),
            FieldPanel("facilitators"),
        ],
        base_form_class=admin_views.CohortForm,
    )

    def get_urlpatterns(self):
        # A cohort's enrolments, named <cohort_id> and <enrolment_id> (the refusal matrix
        # points those at trust B's cohort and enrolment).
        return [
            *super().get_urlpatterns(),
            path(
                "<int:cohort_id>/enrolments/",
                admin_enrolments.CohortEnrolmentsView.as_view(),
                name="enrolments",
            ),
            path(
                "enrolments/<int:enrolment_id>/history/",
                admin_enrolments.EnrolmentHistoryView.as_view(),
                name="enrolment_history",
            ),
            path(
                "enrolments/<int:enrolment_id>/approve/",
                admin_enrolments.EnrolmentApproveView.as_view(),
                name="enrolment_approve",
            ),
            path(
                "enrolments/<int:enrolment_id>/promote/",
                admin_enrolments.EnrolmentPromoteView.as_view(),
                name="enrolment_promote",
            ),
            path(
                "enrolments/<int:enrolment_id>/withdraw/",
                admin_enrolments.EnrolmentWithdrawView.as_view(),
                name="enrolment_withdraw",
            ),
            path(
                "enrolments/<int:enrolment_id>/completion/",
                admin_sessions.EnrolmentCompletionView.as_view(),
                name="enrolment_completion",
            ),
            # Its sessions, named <cohort_id> and <session_id> likewise.
            path(
                "<int:cohort_id>/sessions/",
                admin_sessions.CohortSessionsView.as_view(),
                name="sessions",
            ),
            path(
                "<int:cohort_id>/sessions/add/",
                admin_sessions.SessionCreateView.as_view(),
                name="session_add",
            ),
            path(
                "sessions/<int:session_id>/edit/",
                admin_sessions.SessionEditView.as_view(),
                name="session_edit",
            ),
            path(
                "sessions/<int:session_id>/cancel/",
                admin_sessions.SessionCancelView.as_view(),
                name="session_cancel",
            ),
        ]


class ProgrammesGroup(ViewSetGroup):
    menu_label = "Programmes"
    menu_icon = "folder-open-inverse"
    menu_order = 190
    items = (ProgrammeViewSet, CohortViewSet)


@hooks.register("register_admin_viewset")
def register_programmes_admin():
    return ProgrammesGroup()


# --- Import participants (programmes.import_views) ------------------------------------------
# Kept together in this one block; the cohort admin registers its own hooks beside it.

import_urlpatterns = [path("", import_views.enrolments_import, name="import")]


@hooks.register("register_admin_urls")
def register_import_urls():
    return [path("programmes/import/", include((import_urlpatterns, "programmes_import")))]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_import_enrolments(request.user)


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(
        "Import participants",
        reverse("programmes_import:import"),
        icon_name="upload",
        order=215,
    )


# --- end of Import participants -------------------------------------------------------------
