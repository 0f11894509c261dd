"""A first list of the criteria investigators must meet (R-JUR-5), for the legal direction to complete.

The plan (axis 5) says the legal direction writes a note on the criteria; until it is entered here,
these rows come from what the plan and the requirements name, and are marked unverified.
"""

import datetime
from typing import Any

from django.db import migrations

PLAN = "Plan d'actions HVSSD 2024-2026 de l'IMT, axe 5"
CRITERIA = [
    (
        "trained-investigation",
        "Formé·e à la conduite d'enquêtes administratives",
        "Trained in conducting administrative investigations",
        PLAN,
    ),
    (
        "trained-vss",
        "Formé·e aux violences sexistes et sexuelles, au harcèlement et aux discriminations",
        "Trained in sexist and sexual violence, harassment and discrimination",
        "Plan d'actions HVSSD 2024-2026 de l'IMT, axes 3 et 5",
    ),
    (
        "interviews-english",
        "Peut mener des entretiens en anglais",
        "Can conduct interviews in English",
        "Plan d'actions HVSSD 2024-2026 de l'IMT, axe 4",
    ),
    (
        "mobile",
        "Peut se déplacer dans une autre école de l'IMT",
        "Can travel to another IMT school",
        PLAN,
    ),
]


def load(apps: Any, schema_editor: Any) -> None:
    criterion = apps.get_model("kb", "InvestigatorCriterion")
    for position, (code, label_fr, label_en, source) in enumerate(CRITERIA, start=1):
        criterion.objects.update_or_create(
            code=code,
            defaults={
                "position": position * 10,
                "label_fr": label_fr,
                "label_en": label_en,
                "source": source,
                "version_date": datetime.date(2026, 11, 26),
                "confidence": "U",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("kb", "0010_directories")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
