from django.urls import path

from . import effect_views

app_name = "reports"

urlpatterns = [
    # "Does it work?": completers against a comparison group (reports/effect.py).
    path("effect/", effect_views.effect_choose, name="effect"),
    path("effect/<int:trust_id>/", effect_views.effect_for_trust, name="effect_trust"),
]
