"""PostgreSQL: the search index also as postings, one row per document and index term (see egide.kb.search).

`ts_rank(vector, 'a' | 'b', 1)` reads the whole tsvector of every matching row: on a large index the
common words of a query match thousands of rows and ranking them took most of a search. That rank is
the sum over the query's terms of `ts_rank(vector, 'term', 1)`, divided by their number: each share is
computed once here, when a document is written, and a search adds up the shares of its terms read from
one index (an index-only scan), as FTS5 reads its doclists on SQLite. Kept in step by triggers, like the
FTS5 tables of 0008; the GIN indexes of 0008 are no longer read by the search and are dropped.
SQLite: nothing changes.
"""

from collections.abc import Callable
from typing import Any

from django.db import migrations

# head: the term is in the title or the search words (weights A, B); score: its share of the rank.
POSTINGS = """
    SELECT {entry}.id, {entry}.language, {entry}.kind IN ('offence', 'ground'), {entry}.audience, posting.lexeme,
           posting.weights && ARRAY['A', 'B'], ts_rank({entry}.vector, plainto_tsquery('simple', posting.lexeme), 1)
    FROM {source}unnest({entry}.vector) AS posting
"""
COLUMNS = "kb_searchposting (entry_id, language, reference, audience, term, head, score)"
# The only index: a query reads the postings of its terms in one language and group from it alone, and a
# document written again finds its own postings in it by their whole key.
INDEX = (
    "CREATE INDEX kb_searchposting_term ON kb_searchposting (language, reference, term, head, entry_id) INCLUDE (audience, score)"
)

POSTGRES_FORWARD = [
    """
    CREATE TABLE kb_searchposting (
        entry_id integer NOT NULL,
        language varchar(2) NOT NULL,
        reference boolean NOT NULL,
        audience varchar(10) NOT NULL,
        term text NOT NULL,
        head boolean NOT NULL,
        score real NOT NULL
    )
    """,
    INDEX,
    # A full reindex (egide.kb.search.reindex) sets egide.search_postings to 'bulk' in its transaction, then
    # rewrites all the postings at once at its end (kb_searchposting_rebuild).
    f"""
    CREATE FUNCTION kb_searchposting_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('egide.search_postings', true) = 'bulk' THEN
            RETURN NULL;
        END IF;
        IF TG_OP = 'UPDATE' THEN
            IF NEW.id = OLD.id AND NEW.vector = OLD.vector AND NEW.language = OLD.language AND NEW.kind = OLD.kind
                    AND NEW.audience = OLD.audience THEN
                RETURN NULL;  -- nothing searched has changed
            END IF;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM kb_searchposting p USING unnest(OLD.vector) AS posting
            WHERE p.language = OLD.language AND p.reference = (OLD.kind IN ('offence', 'ground'))
                AND p.term = posting.lexeme AND p.head = (posting.weights && ARRAY['A', 'B']) AND p.entry_id = OLD.id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO {COLUMNS} {POSTINGS.format(entry="NEW", source="")};
        END IF;
        RETURN NULL;
    END
    $$
    """,  # noqa: S608 - constants of this migration
    """
    CREATE TRIGGER kb_searchposting_write AFTER INSERT OR UPDATE OR DELETE ON kb_searchentry
    FOR EACH ROW EXECUTE FUNCTION kb_searchposting_write()
    """,
    # Django's flush (tests) empties the tables with TRUNCATE, which fires no row trigger.
    """
    CREATE FUNCTION kb_searchposting_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE kb_searchposting;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER kb_searchposting_truncate AFTER TRUNCATE ON kb_searchentry
    FOR EACH STATEMENT EXECUTE FUNCTION kb_searchposting_truncate()
    """,
    # All at once, the index built afterwards: several times faster than row by row, or than deleting
    # the old rows and inserting the new ones in the index (millions of rows on a large index). A full
    # reindex calls it at its end: searches wait for its commit (TRUNCATE locks the table).
    f"""
    CREATE FUNCTION kb_searchposting_rebuild() RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM set_config('egide.search_postings', '', true);
        TRUNCATE kb_searchposting;
        DROP INDEX kb_searchposting_term;
        INSERT INTO {COLUMNS} {POSTINGS.format(entry="e", source="kb_searchentry e, ")};
        {INDEX};
    END
    $$
    """,  # noqa: S608 - constants of this migration
    "SELECT kb_searchposting_rebuild()",
    # The search no longer reads the tsvector through these.
    "DROP INDEX kb_searchentry_articles",
    "DROP INDEX kb_searchentry_references",
]
POSTGRES_BACKWARD = [
    "CREATE INDEX kb_searchentry_articles ON kb_searchentry USING gin (vector) WHERE kind NOT IN ('offence', 'ground')",
    "CREATE INDEX kb_searchentry_references ON kb_searchentry USING gin (vector) WHERE kind IN ('offence', 'ground')",
    "DROP FUNCTION kb_searchposting_rebuild()",
    "DROP TRIGGER kb_searchposting_truncate ON kb_searchentry",
    "DROP FUNCTION kb_searchposting_truncate()",
    "DROP TRIGGER kb_searchposting_write ON kb_searchentry",
    "DROP FUNCTION kb_searchposting_write()",
    "DROP TABLE kb_searchposting",
]


def _run(statements: dict[str, list[str]]) -> Callable[[Any, Any], None]:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("kb", "0013_assistant_sheets")]

    operations = [
        migrations.RunPython(_run({"postgresql": POSTGRES_FORWARD}), _run({"postgresql": POSTGRES_BACKWARD})),
    ]
