"""The holder's certificates under /learn/certificates/ (mounted by config/urls.py): the list
and each one's download. The public verification pages are certificates/urls.py's."""

from django.urls import path

from . import learn_views

app_name = "certificates_learn"

urlpatterns = [
    path("", learn_views.mine, name="mine"),
    path("<str:code>/download/", learn_views.download, name="download"),
]
