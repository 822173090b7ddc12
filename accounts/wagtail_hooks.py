from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views

admin_urlpatterns = [
    path("", admin_views.invitations_index, name="invitations"),
    path("import/", admin_views.invitations_import, name="import"),
]


@hooks.register("register_admin_urls")
def register_invitation_urls():
    return [path("invitations/", include((admin_urlpatterns, "accounts_admin")))]


class InvitationsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.may_invite(request.user)


@hooks.register("register_admin_menu_item")
def register_invitations_menu_item():
    return InvitationsMenuItem(
        "Invitations", reverse("accounts_admin:invitations"), icon_name="mail", order=210
    )
