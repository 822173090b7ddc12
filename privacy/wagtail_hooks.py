from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.widgets.button import Button

from .admin_views import ErasePersonView
from .permissions import may_erase


@hooks.register("register_admin_urls")
def register_erasure_urls():
    return [path("privacy/erase/<int:pk>/", ErasePersonView.as_view(), name="privacy_erase_person")]


@hooks.register("person_admin_header_buttons")
def erase_person_button(request, person):
    """ "Erase this person" in a person's admin menu, for whoever may erase them (the erase
    view checks again)."""
    if not may_erase(request.user, person):
        return []
    return [
        Button(
            "Erase this person",
            url=reverse("privacy_erase_person", args=[person.pk]),
            icon_name="warning",
            priority=40,
        )
    ]
