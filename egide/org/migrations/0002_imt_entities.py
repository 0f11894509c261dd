"""IMT's public structure: the head office and its eight schools (editable afterwards)."""

from typing import Any

from django.db import migrations

ENTITIES = [
    (
        "dg",
        "head_office",
        "Institut Mines-Télécom — Direction générale",
        "Institut Mines-Télécom — Head office",
        "Palaiseau",
        "https://www.imt.fr",
    ),
    ("imt-atlantique", "school", "IMT Atlantique", "IMT Atlantique", "Brest, Nantes, Rennes", "https://www.imt-atlantique.fr"),
    ("imt-mines-ales", "school", "IMT Mines Alès", "IMT Mines Alès", "Alès", "https://www.imt-mines-ales.fr"),
    ("imt-mines-albi", "school", "IMT Mines Albi", "IMT Mines Albi", "Albi", "https://www.imt-mines-albi.fr"),
    ("imt-nord-europe", "school", "IMT Nord Europe", "IMT Nord Europe", "Douai, Lille", "https://imt-nord-europe.fr"),
    (
        "mines-saint-etienne",
        "school",
        "Mines Saint-Étienne",
        "Mines Saint-Étienne",
        "Saint-Étienne, Gardanne",
        "https://www.mines-stetienne.fr",
    ),
    ("telecom-paris", "school", "Télécom Paris", "Télécom Paris", "Palaiseau", "https://www.telecom-paris.fr"),
    (
        "telecom-sudparis",
        "school",
        "Télécom SudParis",
        "Télécom SudParis",
        "Évry-Courcouronnes, Palaiseau",
        "https://www.telecom-sudparis.eu",
    ),
    (
        "imt-bs",
        "school",
        "Institut Mines-Télécom Business School",
        "Institut Mines-Télécom Business School",
        "Évry-Courcouronnes",
        "https://www.imt-bs.eu",
    ),
]


def load(apps: Any, schema_editor: Any) -> None:
    Entity = apps.get_model("org", "Entity")
    for code, kind, name_fr, name_en, city, website in ENTITIES:
        Entity.objects.get_or_create(
            code=code, defaults={"kind": kind, "name_fr": name_fr, "name_en": name_en, "city": city, "website": website}
        )


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("org", "Entity").objects.filter(code__in=[row[0] for row in ENTITIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
