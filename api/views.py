"""The API's resources, version 1. Every queryset starts from people.permissions.visible for
the requesting person — the token's owner — so the API shows exactly what the site would
show them: another trust's object is a 404, as on the site."""

from __future__ import annotations

from django.views.decorators.csrf import csrf_exempt
from rest_framework import viewsets
from rest_framework.renderers import JSONRenderer

from people.permissions import visible
from programmes.models import Cohort, Programme

from . import serializers
from .base import ApiViewMixin
from .filters import CohortFilter, StrictFilterBackend
from .problems import problem


class ScopedViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """A read-only resource scoped through the one permissions module."""

    model = None
    filter_backends = [StrictFilterBackend]  # an unknown query parameter is a 400

    def get_queryset(self):
        return visible(self.request.user, self.model)


class ProgrammeViewSet(ScopedViewSet):
    """Programmes: every signed-in person sees them all (they are no one's personal data)."""

    model = Programme
    serializer_class = serializers.ProgrammeSerializer


class CohortViewSet(ScopedViewSet):
    """Cohorts you may see: those your trust hosts (administrators), those you facilitate,
    those you are enrolled in."""

    model = Cohort
    serializer_class = serializers.CohortSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = CohortFilter

    def get_queryset(self):
        return super().get_queryset().select_related("host_trust")


@csrf_exempt  # it changes nothing; a CSRF refusal would be the site's HTML page instead
def not_found(request, path=""):
    """Any address under /api/ that names no route: a problem, not the site's HTML page."""
    response = problem(
        404,
        "No such API address. Addresses end with a slash, and ids are whole numbers; "
        "/api/docs/ lists every route.",
    )
    response.accepted_renderer = JSONRenderer()
    response.accepted_media_type = "application/json"
    response.renderer_context = {}
    response.render()
    return response
