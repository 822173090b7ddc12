"""Factories of the reports app's own rows (the monthly reports)."""

from __future__ import annotations

import datetime
import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.factories import TrustFactory

STAND_IN_PDF = b"%PDF-1.7\n% a stand-in monthly report\n%%EOF\n"


class MonthlyReportFactory(factory.django.DjangoModelFactory):
    """A monthly report, waiting to be rendered; pass ``render_status="ready"`` for one with
    a stored file (``pdf_content``: its bytes, a stand-in PDF unless given)."""

    class Meta:
        model = "reports.MonthlyReport"

    trust = factory.SubFactory(TrustFactory)
    month = datetime.date(2026, 10, 1)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        content = kwargs.pop("pdf_content", None) or STAND_IN_PDF
        if kwargs.get("render_status") == "ready" and not kwargs.get("pdf"):
            from reports.models import report_storage

            kwargs["pdf"] = report_storage().save("test/report.pdf", ContentFile(content))
            kwargs["sha256"] = hashlib.sha256(content).hexdigest()
            kwargs.setdefault("rendered_at", timezone.now())
        return super()._create(model_class, *args, **kwargs)
