"""The international days of the plan's themes, for the next years (fixed dates, all of IMT).

Each entity's own events, awareness weeks and survey windows are added by its communication team.
"""

import datetime
from typing import Any

from django.db import migrations

DAYS = [
    (3, 8, "Journée internationale des droits des femmes", "International Women's Day"),
    (
        3,
        21,
        "Journée internationale pour l’élimination de la discrimination raciale",
        "International Day for the Elimination of Racial Discrimination",
    ),
    (
        5,
        17,
        "Journée mondiale contre l’homophobie, la transphobie et la biphobie",
        "International Day against Homophobia, Transphobia and Biphobia",
    ),
    (
        11,
        25,
        "Journée internationale pour l’élimination de la violence à l’égard des femmes",
        "International Day for the Elimination of Violence against Women",
    ),
    (12, 3, "Journée internationale des personnes handicapées", "International Day of Persons with Disabilities"),
]
YEARS = (2026, 2027, 2028)


def load(apps: Any, schema_editor: Any) -> None:
    event_model = apps.get_model("kb", "Event")
    for year in YEARS:
        for month, day, title_fr, title_en in DAYS:
            event_model.objects.get_or_create(
                starts_on=datetime.date(year, month, day), title_fr=title_fr, defaults={"title_en": title_en, "kind": "day"}
            )


def unload(apps: Any, schema_editor: Any) -> None:
    event_model = apps.get_model("kb", "Event")
    event_model.objects.filter(kind="day", entity__isnull=True, title_fr__in=[title for _m, _d, title, _e in DAYS]).delete()


class Migration(migrations.Migration):
    dependencies = [("kb", "0005_event")]
    operations = [migrations.RunPython(load, unload)]
