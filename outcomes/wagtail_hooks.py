from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from people.services import is_active_superuser

from . import admin_views

urlpatterns = [path("labels/", admin_views.answer_labels, name="labels")]


@hooks.register("register_admin_urls")
def register_outcomes_urls():
    return [path("outcomes/", include((urlpatterns, "outcomes_admin")))]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return is_active_superuser(request.user)


@hooks.register("register_settings_menu_item")
def register_labels_menu_item():
    return SuperuserMenuItem(
        "Survey answer wording", reverse("outcomes_admin:labels"), icon_name="list-ul", order=900
    )
