from django.forms.models import modelform_factory
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from . import admin_views
from .models import (
    PROFILE_FIELDS,
    BoardSnapshot,
    RoleAppointment,
    Trust,
    TrustEmailDomain,
    User,
)


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


class PersonViewSet(ScopedViewSet):
    model = User
    # With the "Erase this person" action (privacy.admin_views.ErasePersonView).
    edit_view_class = admin_views.PersonEditView
    inspect_view_class = admin_views.PersonInspectView
    icon = "user"
    menu_label = "People"
    name = "people"
    form_fields = ["email", "trust", *PROFILE_FIELDS]
    # Never the password hash or permission flags (Wagtail shows every field by default).
    inspect_view_fields = [*form_fields, "date_joined", "last_login", "is_active"]
    list_display = ["__str__", "email", "trust", "professional_group", "job_title"]
    list_filter = ["professional_group", "trust"]
    search_fields = ["first_name", "last_name", "email", "job_title"]


class TrustViewSet(ScopedViewSet):
    model = Trust
    icon = "site"
    menu_label = "Trusts"
    form_fields = ["name", "ods_code", "opened_on", "closed_on"]
    list_display = ["name", "ods_code", "opened_on", "closed_on"]
    search_fields = ["name", "ods_code"]


class BoardSnapshotViewSet(ScopedViewSet):
    model = BoardSnapshot
    icon = "group"
    menu_label = "Board composition"
    form_fields = ["trust", "recorded_on", "members", "clinician_members"]
    list_display = ["trust", "recorded_on", "members", "clinician_members"]
    list_filter = ["trust"]


class RoleAppointmentViewSet(ScopedViewSet):
    model = RoleAppointment
    icon = "date"
    menu_label = "Role history"
    form_fields = ["person", "trust", "title", "category", "starts_on", "ends_on", "source"]
    list_display = ["person", "title", "category", "starts_on", "ends_on", "source"]
    list_filter = ["category", "source"]
    search_fields = ["title", "person__first_name", "person__last_name"]


class TrustEmailDomainViewSet(ScopedViewSet):
    model = TrustEmailDomain
    icon = "mail"
    menu_label = "Sign-up email domains"
    form_fields = ["trust", "domain"]
    list_display = ["domain", "trust"]
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
    )


@hooks.register("register_admin_viewset")
def register_people_and_trusts():
    return PeopleAndTrustsGroup()


@hooks.register("construct_settings_menu")
def hide_wagtail_users_from_non_superusers(request, menu_items):
    # Wagtail's Users screens are superuser-only (people.wagtail_users); don't offer them.
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name != "users"]
