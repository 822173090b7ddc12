from django.forms.models import modelform_factory
from django.urls import include, path, reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy

from . import admin_views, role_import, role_import_views, wagtail_users
from .models import (
    PROFILE_FIELDS,
    AccessGrant,
    BoardSnapshot,
    Region,
    RoleAppointment,
    Trust,
    TrustEmailDomain,
    User,
)

# Before any viewset asks: Wagtail looks the user model's policy up in its registry for every
# one of its user views, bulk actions, search areas and menu items. Superusers only.
register_permission_policy(User, wagtail_users.SuperusersOnlyPolicy(User))

# Replace Wagtail's bulk actions on users with ours (same names; registered later, so they
# win): superusers only, through people.services, audited.
for _action in wagtail_users.USER_BULK_ACTIONS:
    hooks.register("register_bulk_action", _action, order=100)


class ScopedViewSet(ModelViewSet):
    index_view_class = admin_views.ScopedIndexView
    add_view_class = admin_views.ScopedCreateView  # audits the creation of personal data
    edit_view_class = admin_views.ScopedEditView
    delete_view_class = admin_views.ScopedDeleteView
    inspect_view_class = admin_views.ScopedInspectView
    history_view_class = admin_views.ScopedHistoryView
    usage_view_class = admin_views.ScopedUsageView
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        # Wagtail's default is a plain ModelForm; ours narrows trust/person choices per user.
        return modelform_factory(
            self.model,
            form=admin_views.ScopedChoicesForm,
            formfield_callback=self.formfield_for_dbfield,
            fields=self.get_form_fields(),
        )

    inspect_view_enabled = True
    add_to_admin_menu = False


class PeopleMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.PEOPLE_POLICY.user_has_any_permission(
            request.user, {"add", "change", "delete", "view"}
        )


class PersonViewSet(ScopedViewSet):
    """Tandem's People admin, scoped by trust. Its views answer to PEOPLE_POLICY, not to the
    superusers-only policy registered for the user model."""

    model = User
    menu_item_class = PeopleMenuItem
    add_view_class = admin_views.PersonCreateView

    @cached_property
    def permission_policy(self):
        return admin_views.PEOPLE_POLICY

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(permission_policy=self.permission_policy, **kwargs)

    # With the "Erase this person" action (privacy.admin_views.ErasePersonView).
    edit_view_class = admin_views.PersonEditView
    inspect_view_class = admin_views.PersonInspectView
    icon = "user"
    menu_label = "People"
    name = "people"
    # The staff number is an administrator's to set (HR's number, not the person's choice).
    form_fields = ["email", "trust", "staff_number", *PROFILE_FIELDS]
    # Never the password hash or permission flags (Wagtail shows every field by default).
    inspect_view_fields = [*form_fields, "date_joined", "last_login", "is_active"]
    list_display = ["__str__", "email", "trust", "professional_group", "job_title"]
    # ?export=csv|xlsx: the scoped rows (ScopedIndexView), audited. Not registration numbers.
    list_export = [
        "email",
        "first_name",
        "last_name",
        "trust.ods_code",
        "get_professional_group_display",
        "job_title",
        "band",
        "directorate",
        "is_active",
    ]
    export_headings = {
        "trust.ods_code": "Trust (ODS code)",
        "get_professional_group_display": "Professional group",
    }
    list_filter = ["professional_group", "trust"]
    search_fields = ["first_name", "last_name", "email", "job_title"]


class TrustViewSet(ScopedViewSet):
    model = Trust
    icon = "site"
    menu_label = "Trusts"
    form_fields = ["name", "ods_code", "region", "opened_on", "closed_on"]
    list_display = ["name", "ods_code", "region", "opened_on", "closed_on"]
    list_filter = ["region"]
    list_export = ["name", "ods_code", "region.name", "opened_on", "closed_on"]
    export_headings = {"region.name": "Region"}
    search_fields = ["name", "ods_code"]


class BoardSnapshotViewSet(ScopedViewSet):
    """Board composition: a trust's dated snapshots, entered and corrected by its reporting
    leads and programme administrators (people.permissions: the change rule for boards).
    The totals are the split's sums (BoardSnapshot.clean); a second snapshot on one date is a
    form error, and so is every number that does not fit (people.services
    .board_snapshot_save)."""

    model = BoardSnapshot
    icon = "group"
    menu_label = "Board composition"
    add_view_class = admin_views.BoardSnapshotCreateView
    edit_view_class = admin_views.BoardSnapshotEditView
    form_fields = ["trust", "recorded_on", *BoardSnapshot.SPLIT]
    list_display = [
        "trust",
        "recorded_on",
        "members",
        "clinician_members",
        "executive_members",
        "non_executive_members",
    ]
    inspect_view_fields = [
        "trust",
        "recorded_on",
        "members",
        "clinician_members",
        *BoardSnapshot.SPLIT,
    ]
    list_export = [
        "trust.name",
        "trust.ods_code",
        "recorded_on",
        "members",
        "clinician_members",
        *BoardSnapshot.SPLIT,
    ]
    export_headings = {"trust.name": "Trust", "trust.ods_code": "ODS code"}
    list_filter = ["trust"]


class RoleAppointmentViewSet(ScopedViewSet):
    model = RoleAppointment
    icon = "date"
    menu_label = "Role history"
    index_view_class = admin_views.RoleAppointmentIndexView
    add_view_class = admin_views.RoleAppointmentCreateView
    edit_view_class = admin_views.RoleAppointmentEditView
    # The trust and professional group are the person's when recorded, the source and
    # recorder are the administrator's (people.services.role_appointment_create).
    form_fields = ["person", "title", "category", "starts_on", "ends_on"]

    def get_form_class(self, for_update=False):
        # A role is corrected or ended, never moved to another person.
        if not for_update:
            return super().get_form_class()
        return modelform_factory(
            self.model,
            form=admin_views.ScopedChoicesForm,
            formfield_callback=self.formfield_for_dbfield,
            fields=[name for name in self.get_form_fields() if name != "person"],
        )

    list_display = ["person", "title", "category", "starts_on", "ends_on", "source"]
    ordering = ["-starts_on", "pk"]
    list_export = [
        "person.email",
        "person.get_full_name",
        "title",
        "get_category_display",
        "starts_on",
        "ends_on",
        "get_source_display",
        "trust.ods_code",
    ]
    export_headings = {
        "person.email": "Email",
        "person.get_full_name": "Name",
        "get_category_display": "Category",
        "get_source_display": "Source",
        "trust.ods_code": "Trust (ODS code)",
    }
    list_filter = ["category", "source"]
    search_fields = ["title", "person__first_name", "person__last_name"]


class AccessGrantViewSet(ScopedViewSet):
    """Access roles: who may do what in Tandem, for which trust or region. Superusers grant
    any; a trust's administrators grant facilitator and participant roles to their trust's
    people (people.services.may_grant)."""

    model = AccessGrant
    icon = "key"
    menu_label = "Access roles"
    index_view_class = admin_views.AccessGrantIndexView
    add_view_class = admin_views.AccessGrantCreateView
    edit_view_class = admin_views.AccessGrantEditView
    delete_view_class = admin_views.AccessGrantDeleteView
    form_fields = ["person", "role", "trust", "region"]
    list_display = ["person", "role", "trust", "region", "granted_at"]
    list_filter = ["role", "trust"]
    search_fields = ["person__first_name", "person__last_name", "person__email"]
    inspect_view_fields = ["person", "role", "trust", "region", "granted_by", "granted_at"]


class RegionViewSet(ScopedViewSet):
    """NHS England's regions: a managed list (seeded; superusers may correct it)."""

    model = Region
    icon = "globe"
    menu_label = "Regions"
    form_fields = ["code", "name"]
    list_display = ["name", "code"]


class TrustEmailDomainViewSet(ScopedViewSet):
    model = TrustEmailDomain
    icon = "mail"
    menu_label = "Sign-up email domains"
    form_fields = ["trust", "domain"]
    list_display = ["domain", "trust"]
    list_export = ["domain", "trust.ods_code"]
    export_headings = {"trust.ods_code": "Trust (ODS code)"}
    list_filter = ["trust"]
    search_fields = ["domain"]


class PeopleAndTrustsGroup(ViewSetGroup):
    menu_label = "People and trusts"
    menu_icon = "group"
    menu_order = 200
    items = (
        PersonViewSet,
        TrustViewSet,
        TrustEmailDomainViewSet,
        BoardSnapshotViewSet,
        RoleAppointmentViewSet,
        AccessGrantViewSet,
        RegionViewSet,
    )


@hooks.register("register_admin_viewset")
def register_people_and_trusts():
    return PeopleAndTrustsGroup()


@hooks.register("construct_settings_menu")
def hide_wagtail_users_from_non_superusers(request, menu_items):
    # Wagtail's Users screens are superuser-only (people.wagtail_users); don't offer them.
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name != "users"]


@hooks.register(admin_views.PERSON_HEADER_BUTTONS_HOOK)
def role_history_button(request, person):
    """ "Role history" in a person's admin menu: their roles, to add, correct and end."""
    url = reverse("roleappointment:index")
    return [Button("Role history", url=f"{url}?person={person.pk}", icon_name="date", priority=30)]


# --- Import role history (people.role_import_views) -------------------------------------------

role_import_urlpatterns = [path("", role_import_views.roles_import, name="import")]


@hooks.register("register_admin_urls")
def register_role_import_urls():
    return [path("people/role-import/", include((role_import_urlpatterns, "people_role_import")))]


class RoleImportMenuItem(MenuItem):
    def is_shown(self, request):
        return role_import.may_import_roles(request.user)


@hooks.register("register_admin_menu_item")
def register_role_import_menu_item():
    return RoleImportMenuItem(
        "Import role history",
        reverse("people_role_import:import"),
        icon_name="upload",
        order=216,
    )
