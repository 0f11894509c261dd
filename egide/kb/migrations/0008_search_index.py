"""The full-text index of SearchEntry, one per database engine (see egide.kb.search).

PostgreSQL: a stored generated tsvector (title A, keywords B, body C, the `simple` configuration
since the words are normalised in Python) with a GIN index, stored in the row. SQLite: an external-content FTS5 table
kept in step by triggers.
"""

from collections.abc import Callable
from typing import Any

from django.db import migrations

POSTGRES_FORWARD = [
    """
    ALTER TABLE kb_searchentry ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_idx), 'A')
        || setweight(to_tsvector('simple', keywords_idx), 'B')
        || setweight(to_tsvector('simple', body_idx), 'C')
    ) STORED
    """,
    # One index per group, as the queries ask (egide.kb.search): articles, and the reference rows.
    "CREATE INDEX kb_searchentry_articles ON kb_searchentry USING gin (vector) WHERE kind NOT IN ('offence', 'ground')",
    "CREATE INDEX kb_searchentry_references ON kb_searchentry USING gin (vector) WHERE kind IN ('offence', 'ground')",
    # Ranking reads the vector of every matching row: kept compressed in the row itself (not in the TOAST
    # table, one index lookup per row away), it ranks 5,000 matches about three times faster.
    "ALTER TABLE kb_searchentry SET (toast_tuple_target = 8160)",
    "ALTER TABLE kb_searchentry ALTER COLUMN vector SET STORAGE MAIN",
]
POSTGRES_BACKWARD = [
    "ALTER TABLE kb_searchentry RESET (toast_tuple_target)",
    "DROP INDEX kb_searchentry_references",
    "DROP INDEX kb_searchentry_articles",
    "ALTER TABLE kb_searchentry DROP COLUMN vector",
]

REFERENCE_KINDS = "('offence', 'ground')"
GROUPS = {"articles": f"NOT IN {REFERENCE_KINDS}", "references": f"IN {REFERENCE_KINDS}"}


def _sqlite_forward(language: str, group: str) -> list[str]:
    table = f"kb_search_fts_{language}_{group}"
    new = f"new.language = '{language}' AND new.kind {GROUPS[group]}"
    old = f"old.language = '{language}' AND old.kind {GROUPS[group]}"
    return [
        f"""
        CREATE VIRTUAL TABLE {table} USING fts5(
            title_idx, keywords_idx, body_idx,
            content='kb_searchentry', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
        )
        """,
        f"""
        CREATE TRIGGER {table}_insert AFTER INSERT ON kb_searchentry WHEN {new} BEGIN
            INSERT INTO {table}(rowid, title_idx, keywords_idx, body_idx)
            VALUES (new.id, new.title_idx, new.keywords_idx, new.body_idx);
        END
        """,  # noqa: S608 - constants of this migration
        f"""
        CREATE TRIGGER {table}_delete AFTER DELETE ON kb_searchentry WHEN {old} BEGIN
            INSERT INTO {table}({table}, rowid, title_idx, keywords_idx, body_idx)
            VALUES ('delete', old.id, old.title_idx, old.keywords_idx, old.body_idx);
        END
        """,  # noqa: S608 - constants of this migration
        f"""
        CREATE TRIGGER {table}_update AFTER UPDATE ON kb_searchentry BEGIN
            INSERT INTO {table}({table}, rowid, title_idx, keywords_idx, body_idx)
            SELECT 'delete', old.id, old.title_idx, old.keywords_idx, old.body_idx WHERE {old};
            INSERT INTO {table}(rowid, title_idx, keywords_idx, body_idx)
            SELECT new.id, new.title_idx, new.keywords_idx, new.body_idx WHERE {new};
        END
        """,  # noqa: S608 - constants of this migration
    ]


def _sqlite_backward(language: str, group: str) -> list[str]:
    table = f"kb_search_fts_{language}_{group}"
    triggers = ("insert", "delete", "update")
    return [*(f"DROP TRIGGER {table}_{name}" for name in triggers), f"DROP TABLE {table}"]


# One FTS5 table per language and group (articles, reference rows): a search only ranks what it shows.
PARTS = [(language, group) for language in ("fr", "en") for group in GROUPS]
SQLITE_FORWARD = [statement for part in PARTS for statement in _sqlite_forward(*part)]
SQLITE_BACKWARD = [statement for part in PARTS for statement in _sqlite_backward(*part)]


def _run(statements: dict[str, list[str]]) -> Callable[[Any, Any], None]:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("kb", "0007_articles")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
