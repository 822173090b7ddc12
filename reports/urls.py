from django.urls import path

from . import effect_views, monthly_views, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("trusts/<int:trust_id>/", views.trust_dashboard, name="trust"),
    path(
        "trusts/<int:trust_id>/<slug:table>.<str:export_format>",
        views.table_download,
        name="download",
    ),
    # Monthly reports as PDFs (reports/monthly.py): a trust's list, and one to download.
    path("trusts/<int:trust_id>/monthly/", monthly_views.monthly_list, name="monthly"),
    path(
        "monthly/<int:report_id>/download/",
        monthly_views.monthly_download,
        name="monthly_download",
    ),
    # "Does it work?": completers against a comparison group (reports/effect.py).
    path("effect/", effect_views.effect_choose, name="effect"),
    path("effect/<int:trust_id>/", effect_views.effect_for_trust, name="effect_trust"),
]
