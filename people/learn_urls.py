"""/learn/roles/: a person's own role history — see it, add a role, end one (included by
config/urls.py before the other /learn/ pages)."""

from django.urls import path

from . import learn_views

app_name = "roles"

urlpatterns = [
    path("", learn_views.my_roles, name="mine"),
    path("<int:role_id>/end/", learn_views.end_role, name="end"),
]
