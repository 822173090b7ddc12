from django.urls import path

from . import comparison_views, effect_views, monthly_views, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("trusts/<int:trust_id>/", views.trust_dashboard, name="trust"),
    path(
        "trusts/<int:trust_id>/<slug:table>.<str:export_format>",
        views.table_download,
        name="download",
    ),
    # The regional and national comparison (reports/comparison.py).
    path("regions/<int:region_id>/", comparison_views.region_comparison, name="compare_region"),
    path(
        "regions/<int:region_id>/<slug:table>.<str:export_format>",
        comparison_views.comparison_download,
        name="compare_region_download",
    ),
    path("national/", comparison_views.national_comparison, name="compare_national"),
    path(
        "national/<slug:table>.<str:export_format>",
        comparison_views.comparison_download,
        name="compare_national_download",
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
    path(
        "effect/<int:trust_id>/<slug:table>.<str:export_format>",
        effect_views.effect_download,
        name="effect_download",
    ),
]
