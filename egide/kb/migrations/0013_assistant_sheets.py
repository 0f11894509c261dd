"""The assistant's endings offer the reference sheets that match each answer, first."""

from typing import Any

from django.db import migrations

SHEETS = {
    ("who", "witness"): "le-signalement",
    ("who", "confidant"): "besoin-d-en-parler",
    ("what", "sexual"): "violences-sexistes-et-sexuelles",
    ("what", "sexist"): "agissements-sexistes",
    ("what", "moral"): "harcelement",
    ("what", "discrimination"): "discrimination",
    ("what", "online"): "cyberharcelement",
    ("what", "unsure"): "violences-sexistes-et-sexuelles",
    ("wish", "talk"): "besoin-d-en-parler",
    ("wish", "report"): "le-signalement",
    ("wish", "complaint"): "article-40",
}


def load(apps: Any, schema_editor: Any) -> None:
    article_model = apps.get_model("kb", "Article")
    choice_model = apps.get_model("kb", "AssistantChoice")
    resource_model = apps.get_model("kb", "AssistantResource")
    for (question, key), slug in SHEETS.items():
        choice = choice_model.objects.filter(question__key=question, key=key).first()
        article = article_model.objects.filter(slug_fr=slug).first()
        if choice is not None and article is not None:
            resource_model.objects.get_or_create(choice=choice, article=article, defaults={"position": 1})


class Migration(migrations.Migration):
    dependencies = [("kb", "0012_assistant_articles")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
