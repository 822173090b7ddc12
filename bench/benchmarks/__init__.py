"""Every benchmark `manage.py bench` runs, one module per part of the site. Found by
``autodiscover_modules("benchmarks")``, which imports this package (bench is an installed app).

Benchmarks live here rather than in each app's own benchmarks.py because an app that imported
bench would make production import django.test.
"""

from . import (  # noqa: F401  (registers their benchmarks)
    api,
    attendance,
    cache,
    certificates,
    certificates_bulk,
    checkin,
    cms_pages,
    coffee,
    matching,
    programmes,
    registers,
    reports_scale,
    site,
)
