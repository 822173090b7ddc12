from django.urls import path

from . import views
from .dimensions import Stage

app_name = "outcomes"

urlpatterns = [
    path(
        "<int:enrolment_id>/before/",
        views.self_assessment,
        {"stage": Stage.BEFORE.value},
        name="self_assessment_before",
    ),
    path(
        "<int:enrolment_id>/after/",
        views.self_assessment,
        {"stage": Stage.AFTER.value},
        name="self_assessment_after",
    ),
]
