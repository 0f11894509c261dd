"""The first versions of the help articles, from egide/kb/content/ (edited in Égide afterwards)."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from egide.kb.articles import load_shipped

    load_shipped(apps.get_model("kb", "Article"), apps.get_model("kb", "ArticleVersion"))


class Migration(migrations.Migration):
    dependencies = [("kb", "0008_search_index")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
