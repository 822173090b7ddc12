"""Pairing in the Wagtail admin (pairing.admin_views): the menu item, shown to programme
administrators and superusers, and the URLs under /admin/pairing/."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from people.permissions import administered_trust_ids

from . import admin_views as views

urlpatterns = [
    path("", views.PairingIndexView.as_view(), name="index"),
    path("cohorts/<int:cohort_id>/", views.GroupPairsView.as_view(), name="cohort_group"),
    path("cohorts/<int:cohort_id>/suggest/", views.SuggestView.as_view(), name="cohort_suggest"),
    path("schemes/add/", views.SchemeFormView.as_view(), name="scheme_add"),
    path("schemes/<int:scheme_id>/", views.GroupPairsView.as_view(), name="scheme_group"),
    path("schemes/<int:scheme_id>/suggest/", views.SuggestView.as_view(), name="scheme_suggest"),
    path("schemes/<int:scheme_id>/edit/", views.SchemeFormView.as_view(), name="scheme_edit"),
]


def may_administer_pairing(user) -> bool:
    return bool(user.is_active and (user.is_superuser or administered_trust_ids(user)))


class PairingMenuItem(MenuItem):
    def is_shown(self, request):
        return may_administer_pairing(request.user)


@hooks.register("register_admin_urls")
def register_pairing_urls():
    return [path("pairing/", include((urlpatterns, "pairing_admin")))]


@hooks.register("register_admin_menu_item")
def register_pairing_menu_item():
    return PairingMenuItem("Pairing", reverse("pairing_admin:index"), icon_name="group", order=217)
