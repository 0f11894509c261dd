"""Protective measure types (LEGAL.md R45, R44, R8), each with its legal basis and confidence as written
there; the longest durations are left empty until the legal direction sets them."""

import datetime

from django.db import migrations

VERSION = datetime.date(2026, 11, 1)

# code, label fr, label en, population, source, confidence
TYPES = [
    (
        "suspension-agent",
        "Suspension à titre conservatoire d'un agent",
        "Precautionary suspension of a staff member",
        "staff",
        "CGFP L.531-1 et suivants",
        "U",
    ),
    (
        "interdiction-acces",
        "Interdiction d'accès aux locaux (usager)",
        "Ban from the premises (student)",
        "student",
        "Code de l'éducation R.712-8 et suivants",
        "U",
    ),
    (
        "mesure-conservatoire-usager",
        "Mesure conservatoire pendant la procédure disciplinaire (usager)",
        "Precautionary measure during disciplinary proceedings (student)",
        "student",
        "Code de l'éducation R.811-x ; loi du 31 juillet 2025",
        "U",
    ),
    (
        "changement-affectation",
        "Changement d'affectation ou d'horaires",
        "Change of assignment or schedule",
        "staff",
        "Mesure d'organisation du service (pas de texte spécifique)",
        "U",
    ),
    (
        "changement-groupe",
        "Changement de groupe, d'encadrant ou de stage",
        "Change of group, supervisor or internship",
        "student",
        "Mesure d'organisation des études (pas de texte spécifique)",
        "U",
    ),
    (
        "teletravail",
        "Télétravail ou éloignement temporaire",
        "Remote work or temporary distancing",
        "staff",
        "Mesure d'organisation du service (pas de texte spécifique)",
        "U",
    ),
    (
        "protection-fonctionnelle",
        "Mesures au titre de la protection fonctionnelle",
        "Measures under protection fonctionnelle",
        "staff",
        "CGFP L.134-1 à L.134-12",
        "V",
    ),
    ("autre", "Autre mesure (préciser)", "Other measure (say which)", "any", "", "U"),
]


def load(apps, schema_editor):
    MeasureType = apps.get_model("cases", "MeasureType")
    for code, label_fr, label_en, population, source, confidence in TYPES:
        MeasureType.objects.update_or_create(
            code=code,
            defaults={
                "label_fr": label_fr,
                "label_en": label_en,
                "population": population,
                "source_article": source,
                "version_date": VERSION,
                "confidence": confidence,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
