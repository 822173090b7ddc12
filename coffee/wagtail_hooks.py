"""Tandem coffee's admin (/admin/coffee/, coffee.admin_views) and its menu item, shown to
superusers and programme administrators only."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views
from .permissions import may_run_coffee

# Ids named <trust_id> and <space_id>: the refusal matrix points them at trust B's.
urlpatterns = [
    path("", admin_views.CoffeeIndexView.as_view(), name="index"),
    path("trusts/<int:trust_id>/", admin_views.TrustCoffeeView.as_view(), name="trust"),
    path(
        "trusts/<int:trust_id>/spaces/add/",
        admin_views.SpaceCreateView.as_view(),
        name="space_add",
    ),
    path("spaces/<int:space_id>/edit/", admin_views.SpaceEditView.as_view(), name="space_edit"),
    path(
        "spaces/<int:space_id>/deactivate/",
        admin_views.SpaceActiveView.as_view(active=False),
        name="space_deactivate",
    ),
    path(
        "spaces/<int:space_id>/reactivate/",
        admin_views.SpaceActiveView.as_view(active=True),
        name="space_reactivate",
    ),
]


@hooks.register("register_admin_urls")
def register_coffee_urls():
    return [path("coffee/", include((urlpatterns, "coffee_admin")))]


class CoffeeMenuItem(MenuItem):
    def is_shown(self, request):
        return may_run_coffee(request.user)


@hooks.register("register_admin_menu_item")
def register_coffee_menu_item():
    return CoffeeMenuItem(
        "Tandem coffee", reverse("coffee_admin:index"), icon_name="comment", order=230
    )
