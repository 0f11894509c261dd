"""The shipped document templates (egide/cases/docx/<kind>.<language>.docx) as version 1, draft, of each kind and
language that has no template yet: the legal direction validates them or uploads its own versions."""

import hashlib
from pathlib import Path

from django.db import migrations
from django.utils import timezone

SHIPPED = Path(__file__).resolve().parents[1] / "docx"
KINDS = [
    "confidentiality",
    "recording",
    "convocation",
    "minutes",
    "investigation_report",
    "investigation_decision",
    "commission",
    "prosecutor",
    "disciplinary",
    "feedback",
    "closure",
    "redacted",
]
LANGUAGES = ["fr", "en"]


def load(apps, schema_editor):
    DocumentTemplate = apps.get_model("cases", "DocumentTemplate")
    for kind in KINDS:
        for language in LANGUAGES:
            if DocumentTemplate.objects.filter(kind=kind, language=language).exists():
                continue
            content = (SHIPPED / f"{kind}.{language}.docx").read_bytes()
            DocumentTemplate.objects.create(
                kind=kind,
                language=language,
                version=1,
                state="draft",
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
                uploaded_on=timezone.localdate(),
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_measure_types")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
