"""/learn/: "My learning" and the learner's own progress forms (included by config/urls.py)."""

from django.urls import path

from cms import views

app_name = "cms"

urlpatterns = [
    path("", views.my_learning, name="my_learning"),
    path("modules/<int:page_id>/progress/", views.module_progress, name="module_progress"),
    path("modules/<int:page_id>/reflections/", views.reflection_add, name="reflection_add"),
    path(
        "reflections/<int:reflection_id>/delete/",
        views.reflection_delete,
        name="reflection_delete",
    ),
]
