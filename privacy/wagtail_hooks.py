from django.urls import path
from wagtail import hooks

from .admin_views import ErasePersonView


@hooks.register("register_admin_urls")
def register_erasure_urls():
    return [path("privacy/erase/<int:pk>/", ErasePersonView.as_view(), name="privacy_erase_person")]
