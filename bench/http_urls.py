"""The site's URLs plus a plain hello-world view, for `manage.py bench_http` only: the
baseline that Tandem's pages are compared with when served by the same gunicorn."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), *site_urlpatterns]
