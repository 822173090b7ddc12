"""The app config that swaps Wagtail's Users and Groups admin for people.wagtail_users
(superusers only, every view).
A module of its own because app configs load before models and views can be imported."""

from wagtail.users.apps import WagtailUsersAppConfig


class TandemUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "people.wagtail_users.TandemUserViewSet"
    group_viewset = "people.wagtail_users.TandemGroupViewSet"
