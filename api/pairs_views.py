"""Pairs, shadowing visits and certificates over the API (issue 15 §3): read only, scoped by
the one permissions module; and the public verification of a certificate by its code, for an
employer's system — no token needed, misses limited per address exactly as on the site's
page (one limit shared by both, so the API is no way round it)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.services import client_ip
from certificates import codes
from certificates.models import Certificate
from certificates.selectors import certificate_by_code
from certificates.verify_views import TYPED_CODE_MAX, VERIFY_MISSES
from pairing.models import Pairing, ShadowingVisit

from . import serializers
from .filters import CertificateFilter, PairingFilter, ShadowingVisitFilter, StrictFilterBackend
from .views import ScopedViewSet


class PairingViewSet(ScopedViewSet):
    """Pairs you may see: your own, those you support (facilitators), your trust's
    (administrators)."""

    model = Pairing
    serializer_class = serializers.PairingSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = PairingFilter


class ShadowingVisitViewSet(ScopedViewSet):
    """Shadowing visits of your own pairs and the pairs you support (as on the site: not a
    trust's administrators), without their reflections."""

    model = ShadowingVisit
    serializer_class = serializers.ShadowingVisitSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = ShadowingVisitFilter


class TooManyMisses(exceptions.Throttled):
    pass


class CertificateViewSet(ScopedViewSet):
    """Certificates you may see: your own, and your trust's staff's (administrators and
    reporting leads)."""

    model = Certificate
    serializer_class = serializers.CertificateSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = CertificateFilter

    @extend_schema(
        responses=serializers.VerifiedCertificateSerializer,
        summary="Verify a certificate by the code printed on it (public)",
        auth=[],
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=r"verify/(?P<code>[^/]{1,64})",
        permission_classes=[permissions.AllowAny],
        authentication_classes=[],
    )
    def verify(self, request, code=None):
        who = client_ip(request._request) or "unknown"
        retry_after = VERIFY_MISSES.exceeded(who)
        if retry_after:
            raise TooManyMisses(wait=retry_after)
        stored = codes.normalise(code) if len(code) <= TYPED_CODE_MAX else None
        certificate = certificate_by_code(stored) if stored else None
        if certificate is None:
            VERIFY_MISSES.hit(who)
            # The same answer for a malformed code and an unknown one.
            raise exceptions.NotFound(
                "No certificate has this code. It is 28 letters and numbers in seven groups "
                "of four, for example K7QF-ZP2M-9XRT-4HWB-C3NE-8VDJ-6YGS."
            )
        response = Response(serializers.VerifiedCertificateSerializer(certificate).data)
        # As the verification page: never stored, so a revocation or erasure shows at once.
        response["Cache-Control"] = "no-store"
        return response
