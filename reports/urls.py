from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("trusts/<int:trust_id>/", views.trust_dashboard, name="trust"),
    path(
        "trusts/<int:trust_id>/<slug:table>.<str:export_format>",
        views.table_download,
        name="download",
    ),
]
