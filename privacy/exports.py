"""Building a subject-access archive: a pure function from a person to ZIP bytes.

One JSON file and one CSV file per registered personal data source (privacy.registry), a
manifest and a README. Storing the archive and tracking progress is the service's job
(privacy.services.sar_build); this module only reads.
"""

import io
import json
import zipfile
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from audit.csv_export import rows_to_csv

from . import registry

README = """\
Your data from Tandem
=====================

This archive holds everything Tandem keeps about you, as of {generated}.

Each kind of data comes twice: as a .json file (exact values, for computers) and as a
.csv file (for spreadsheets). manifest.json lists the files and how many records each holds.

{contents}

Your password is not included: Tandem never stores it, only a one-way hash of it.
If anything here is wrong, ask your programme administrator to correct it. To ask Tandem to
erase your data, contact your trust's programme administrator or data protection officer.
"""


def build_archive(person, *, on_progress: Callable[[int], None] = lambda percent: None) -> bytes:
    """ZIP bytes with the person's data. on_progress(0..99) is called after each source."""
    sources = registry.sources()
    generated = timezone.localtime()
    manifest = {"generated_at": generated.isoformat(), "person_id": person.pk, "files": []}
    lines = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, source in enumerate(sources, start=1):
            rows = source.exporter(person)
            archive.writestr(
                f"{source.name}.json",
                json.dumps(rows, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
            )
            archive.writestr(f"{source.name}.csv", rows_to_csv(rows))
            manifest["files"].append(
                {
                    "name": source.name,
                    "description": source.label,
                    "records": len(rows),
                    "files": [f"{source.name}.json", f"{source.name}.csv"],
                }
            )
            lines.append(f"- {source.name}: {source.label} ({len(rows)} records)")
            # Packaging is the last few percent; 100 means stored and ready.
            on_progress(min(99, int(95 * index / len(sources))))
        archive.writestr("manifest.json", json.dumps(manifest, cls=DjangoJSONEncoder, indent=2))
        archive.writestr(
            "README.txt",
            README.format(generated=f"{generated:%d %B %Y %H:%M}", contents="\n".join(lines)),
        )
    return buffer.getvalue()
