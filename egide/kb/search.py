"""Search across the articles and the reference data, in French and in English.

Words are normalised here, in Python, the same way for the index and for the query: lower case,
Snowball stem (French or English), accents removed, stop words dropped. The database only matches
and ranks the normalised words: PostgreSQL with a weighted tsvector and `ts_rank`, kept as postings
(one row per document and term with its share of the rank, migration 0014) so that a search reads
one index instead of every matching vector, SQLite with FTS5 and `bm25`, so both engines find the
same documents. A query word that is not in the index is corrected to the closest indexed word (one
or two typos); excerpts are cut and highlighted here too.

Nothing about a query is stored or logged: people type what happened to them.
"""

from __future__ import annotations

import datetime
import re
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from typing import Any, NamedTuple

import snowballstemmer  # type: ignore[import-untyped]
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from egide.kb.models import Audience, SearchEntry

LANGUAGES = ("fr", "en")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = {
    "fr": _word_set(
        """a à afin ai aie aient ait alors as au aucun aussi autre aux avais avait avec avez avoir c ça ce ceci cela celle
        celles celui ces cet cette chez ci comme comment d dans de des donc dont du elle elles en encore es est et étais
        était étant été être eu eux fait fais faut il ils j je jsp l la là le les leur leurs lui m ma mais me même mes moi
        mon n ne ni nos notre nous o on ont ou où par pas pour pourquoi qu quand que quel quelle quelles quels qui quoi s sa
        sans se ses si son sont sur t ta te tes toi ton tous tout toute toutes très tu un une vers vos votre vous y"""
    ),
    "en": _word_set(
        """a about after all am an and any are as at be been being but by can could did do does doing for from had has have
        having he her here hers him his how i if in into is it its just me my myself no nor not of off on or our ours out
        over own she should so some than that the their them then there these they this those through to too under up very
        was we were what when where which while who whom why will with would you your yours"""
    ),
}


def unaccent(text: str) -> str:
    if text.isascii():
        return text
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer({"fr": "french", "en": "english"}[language])


_stem_cache: dict[tuple[str, str], str] = {}


def stem(word: str, language: str) -> str:
    """The index form of one lower-case word: its stem, without accents."""
    key = (language, word)
    found = _stem_cache.get(key)
    if found is None:
        found = unaccent(_stemmer(language).stemWord(word))
        if len(_stem_cache) < 200_000:
            _stem_cache[key] = found
    return found


def words(text: str) -> list[str]:
    """The lower-case words of a text, apostrophes split ("l'agression" → "l", "agression")."""
    return _WORD.findall(text.lower())


def analyse(text: str, language: str) -> list[str]:
    """Index terms of a text: stems without accents, stop words and one-letter words dropped."""
    stops = STOP_WORDS[language]
    return [stem(word, language) for word in words(text) if len(word) > 1 and word not in stops]


# --- indexing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    key: str
    language: str
    audience: str
    kind: str
    url: str
    title: str
    keywords: str
    text: str


def _indexed(document: Document, now: datetime.datetime) -> dict[str, Any]:
    """The columns of a document's row in the index, but its key and language."""
    surface = {unaccent(word) for word in set(words(f"{document.title} {document.keywords} {document.text}"))}
    return {
        "audience": document.audience,
        "kind": document.kind,
        "url": document.url,
        "title": document.title,
        "text": document.text,
        "words": " ".join(sorted(surface)),
        "title_idx": " ".join(analyse(document.title, document.language)),
        "keywords_idx": " ".join(analyse(document.keywords, document.language)),
        "body_idx": " ".join(analyse(document.text, document.language)),
        "updated_at": now,
    }


def index_documents(documents: list[Document]) -> None:
    """Insert or replace these documents in the index."""
    now = timezone.now()
    with transaction.atomic():
        for document in documents:
            SearchEntry.objects.update_or_create(key=document.key, language=document.language, defaults=_indexed(document, now))
    forget_vocabularies()  # this process at once; the others within 30 seconds


def remove_documents(key: str) -> None:
    """Remove one document (both languages) from the index: `key` is exact ("article:12", not a prefix)."""
    SearchEntry.objects.filter(key=key).delete()
    forget_vocabularies()


# --- vocabulary for typos ---------------------------------------------------------------------------


@dataclass
class Vocabulary:
    """The surface words of the index (no accents) with their document counts, and a deletion index.

    A typo is one or two edits away; comparing one-deletion neighbourhoods (SymSpell) finds the
    candidates without scanning the whole vocabulary.
    """

    stamp: tuple[Any, ...]
    counts: Counter[str] = field(default_factory=Counter)
    deletions: dict[str, set[str]] = field(default_factory=dict)
    documents: int = 0
    stem_documents: dict[str, int] = field(default_factory=dict)  # documents per index term (about)

    def common(self, term: str) -> bool:
        """A term in most documents of a large index: it then counts only in titles and search words.

        Such a term says little about which document is meant (bm25 gives it almost no weight), and
        ranking every document that contains it is what makes a search slow on thousands of articles.
        """
        return self.documents >= COMMON_TERMS_FROM and self.stem_documents.get(term, 0) > self.documents * COMMON_SHARE

    def add(self, word: str) -> None:
        self.counts[word] += 1
        if self.counts[word] == 1 and len(word) >= 4:
            for variant in _deletions(word):
                self.deletions.setdefault(variant, set()).add(word)

    def correct(self, word: str) -> str | None:
        if word in self.counts or len(word) < MIN_CORRECTED or word.isdigit():
            return None
        candidates: set[str] = set(self.deletions.get(word, ()))
        for variant in _deletions(word):
            if variant in self.counts:
                candidates.add(variant)
            candidates |= self.deletions.get(variant, set())
        limit = 1 if len(word) < 7 else 2
        best: tuple[int, int, str] | None = None
        for candidate in candidates:
            distance = damerau(word, candidate)
            if distance <= limit:
                ranked = (distance, -self.counts[candidate], candidate)
                best = ranked if best is None else min(best, ranked)
        return best[2] if best else None


def _deletions(word: str) -> set[str]:
    return {word[:index] + word[index + 1 :] for index in range(len(word))}


def damerau(a: str, b: str) -> int:
    """Optimal string alignment distance (insertions, deletions, substitutions, transpositions)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


# Shorter words are not corrected: one edit away from a short word is another word (near → year).
MIN_CORRECTED = 5
COMMON_TERMS_FROM = 200  # documents in a language; below that, ranking everything is cheap
COMMON_SHARE = 0.5

_vocabularies: dict[str, Vocabulary] = {}
_vocabulary_lock = threading.Lock()
_VOCABULARY_CHECK_SECONDS = 30.0
_vocabulary_checked: dict[str, float] = {}


def vocabulary(language: str) -> Vocabulary:
    """This process's vocabulary for a language, rebuilt when the index has changed (checked every 30 s)."""
    now = time.monotonic()
    current = _vocabularies.get(language)
    if current is not None and now - _vocabulary_checked.get(language, 0.0) < _VOCABULARY_CHECK_SECONDS:
        return current
    entries = SearchEntry.objects.filter(language=language)
    summary = entries.aggregate(count=Count("id"), latest=Max("updated_at"), last=Max("id"))
    stamp = (summary["count"], summary["latest"], summary["last"])
    with _vocabulary_lock:
        _vocabulary_checked[language] = now
        current = _vocabularies.get(language)
        if current is not None and current.stamp == stamp:
            return current
        built = Vocabulary(stamp=stamp)
        for line in entries.values_list("words", flat=True).iterator(chunk_size=500):
            built.documents += 1
            for word in line.split():
                built.add(word)
        for word, count in built.counts.items():
            term = stem(word, language)
            built.stem_documents[term] = max(built.stem_documents.get(term, 0), count)
        _vocabularies[language] = built
        return built


def forget_vocabularies() -> None:
    _vocabularies.clear()
    _vocabulary_checked.clear()


# --- querying ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    key: str
    kind: str
    url: str
    title: SafeString
    excerpt: SafeString
    language: str


@dataclass(frozen=True)
class Results:
    query: str
    language: str
    hits: list[Hit]  # articles
    references: list[Hit]  # rows of the reference tables (offences, grounds of discrimination)
    corrections: dict[str, str]  # typed word → the indexed word searched instead

    @property
    def corrected_query(self) -> str:
        if not self.corrections:
            return ""
        return " ".join(self.corrections.get(unaccent(word), word) for word in words(self.query))


MAX_QUERY_LENGTH = 200


def query_language(query: str, preferred: str) -> str:
    """The language a query is written in: the one whose words (and stop words) it uses most.

    Someone may type English on a French page; a tie keeps the page's language.
    """
    typed = [unaccent(word) for word in words(query[:MAX_QUERY_LENGTH]) if len(word) > 1]

    def known(language: str) -> int:
        vocab, stops = vocabulary(language).counts, STOP_WORDS[language]
        return sum(1 for word in typed if word in vocab or word in stops)

    other = next(language for language in LANGUAGES if language != preferred)
    return other if known(other) > known(preferred) else preferred


@dataclass(frozen=True)
class Terms:
    rare: list[str]  # searched everywhere
    common: list[str]  # searched in titles and search words only (see Vocabulary.common)

    def __bool__(self) -> bool:
        return bool(self.rare or self.common)


def query_terms(query: str, language: str) -> tuple[list[str], dict[str, str]]:
    """The index terms to look for, and the typos corrected on the way."""
    vocab = vocabulary(language)
    stops = STOP_WORDS[language]
    terms: list[str] = []
    corrections: dict[str, str] = {}
    for word in words(query[:MAX_QUERY_LENGTH]):
        if len(word) < 2 or word in stops:
            continue
        plain = unaccent(word)
        corrected = vocab.correct(plain)
        if corrected is not None:
            corrections[plain] = corrected
            plain = corrected
        for variant in {stem(word, language), stem(plain, language)}:
            if variant and variant not in terms:
                terms.append(variant)
    return terms[:20], corrections


REFERENCE_KINDS = ("offence", "ground")


class Shown(NamedTuple):
    """What a hit shows of a row of the index."""

    key: str
    kind: str
    url: str
    title: str
    text: str
    language: str


SHOWN_COLUMNS = ", ".join(f"e.{name}" for name in Shown._fields)


def search(query: str, language: str, *, referents: bool = False, limit: int = 10) -> Results:
    """The best matches for a query in a language, articles and reference rows apart.

    Articles for référents only are searched when `referents` is true.
    """
    found, corrections = query_terms(query, language)
    vocab = vocabulary(language)
    terms = Terms(rare=[t for t in found if not vocab.common(t)], common=[t for t in found if vocab.common(t)])
    audiences = [choice.value for choice in Audience if referents or choice != Audience.REFERENTS]
    articles: list[Shown] = []
    references: list[Shown] = []
    if terms:
        everywhere = Terms(rare=found, common=[])
        articles, references = _ranked([(terms, False, limit), (everywhere, True, min(limit, 8))], language, audiences)
    if terms.common and not terms.rare and len(articles) < limit:
        # Only common words, and too few of them in titles: search them everywhere after all.
        [articles] = _ranked([(Terms(rare=terms.common, common=[]), False, limit)], language, audiences)
    highlighter = Highlighter.of(found, language)
    return Results(
        query=query,
        language=language,
        hits=[_hit(entry, highlighter) for entry in articles],
        references=[_hit(entry, highlighter) for entry in references],
        corrections=corrections,
    )


Part = tuple[Terms, bool, int]  # terms, reference rows (else articles), limit


def _ranked(parts: list[Part], language: str, audiences: list[str]) -> list[list[Shown]]:
    """The best rows for each part, best first."""
    if language not in LANGUAGES:
        raise ValueError(language)
    if connection.vendor == "postgresql":
        return _ranked_postgresql(parts, language, audiences)
    return [_ranked_sqlite(terms, language, audiences, limit, reference=reference) for terms, reference, limit in parts]


_RANKED_PART = (
    "(SELECT %s::integer AS part, p.entry_id, (sum(p.score) / %s)::real AS score"
    " FROM unnest(%s::text[], %s::boolean[]) AS q(term, common) JOIN kb_searchposting p"
    " ON p.language = %s AND p.reference = %s AND p.term = q.term WHERE p.audience = ANY(%s)"
    " GROUP BY p.entry_id HAVING bool_or(p.head OR NOT q.common) ORDER BY score DESC, p.entry_id LIMIT %s)"
)


def _ranked_postgresql(parts: list[Part], language: str, audiences: list[str]) -> list[list[Shown]]:
    """Rank by `ts_rank(vector, query, 1)` added up from the postings of the query's terms (migration 0014).

    That rank is the sum of the ranks of the query's terms alone, divided by their number: read from one
    index (an index-only scan per term), not from the tsvector of every matching row. A document matches
    by a rare term anywhere or a common term in its title or search words (`head`, the weights A and B of
    the vector), and then counts every term it has, as `ts_rank` does. All the parts and the rows they
    show come in one query.
    """
    params: list[Any] = []
    for index, (terms, reference, limit) in enumerate(parts):
        searched = [*terms.rare, *terms.common]
        common = [False] * len(terms.rare) + [True] * len(terms.common)
        params += [index, len(searched), searched, common, language, reference, audiences, limit]
    ranked = " UNION ALL ".join([_RANKED_PART] * len(parts))
    found: list[list[Shown]] = [[] for _part in parts]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ranked.part, {SHOWN_COLUMNS} FROM ({ranked}) AS ranked "  # noqa: S608 - constants
            "JOIN kb_searchentry e ON e.id = ranked.entry_id ORDER BY ranked.part, ranked.score DESC, ranked.entry_id",
            params,
        )
        for part, *shown in cursor.fetchall():
            found[part].append(Shown(*shown))
    return found


def _ranked_sqlite(terms: Terms, language: str, audiences: list[str], limit: int, *, reference: bool) -> list[Shown]:
    """Rank in the FTS5 table of the language and group alone, then keep the rows this reader may see.

    Articles for référents only are few: three times the limit is nearly always enough, else fetch more.
    """
    table = f"kb_search_fts_{language}_{'references' if reference else 'articles'}"
    parts = [f'"{term}"' for term in terms.rare]
    if terms.common:
        parts.append("{title_idx keywords_idx} : (" + " OR ".join(f'"{term}"' for term in terms.common) + ")")
    match = " OR ".join(parts)
    fetch = limit * 3
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT rowid FROM {table} "  # noqa: S608 - a name from two lists
                f"WHERE {table} MATCH %s ORDER BY bm25({table}, 10.0, 4.0, 1.0), rowid LIMIT %s",
                [match, fetch],
            )
            ranks = [row[0] for row in cursor.fetchall()]
            if not ranks:
                return []
            cursor.execute(
                f"SELECT e.id, {SHOWN_COLUMNS} FROM kb_searchentry e "  # noqa: S608 - placeholders and constants
                f"WHERE e.id IN ({', '.join(['%s'] * len(ranks))}) AND e.audience IN ({', '.join(['%s'] * len(audiences))})",
                [*ranks, *audiences],
            )
            allowed = {row[0]: Shown(*row[1:]) for row in cursor.fetchall()}
            ranked = [allowed[entry_id] for entry_id in ranks if entry_id in allowed]
            if len(ranked) >= limit or len(ranks) < fetch:
                return ranked[:limit]
            fetch *= 4


EXCERPT_CHARACTERS = 240
_ACCENTED = {"a": "aàâä", "c": "cç", "e": "eéèêë", "i": "iîï", "o": "oôö", "u": "uùûü", "y": "yÿ"}


def _candidates(terms: frozenset[str]) -> re.Pattern[str]:
    """Words that may have one of these index forms: a stem is (nearly) a prefix of its words, accents aside."""

    def prefix(term: str) -> str:
        return term[:-1] if len(term) > 3 else term

    def pattern(term: str) -> str:
        return "".join(f"[{_ACCENTED[char]}]" if char in _ACCENTED else re.escape(char) for char in prefix(term))

    alternatives = "|".join(pattern(term) for term in sorted(terms, key=len, reverse=True))
    # The possible first letters, looked ahead first: most positions of a text are left at once (a third faster).
    first = "".join(sorted({char for term in terms for char in _ACCENTED.get(term[0], term[0])}))
    return re.compile(rf"(?=[{re.escape(first)}])(?<![^\W_])(?:{alternatives})[^\W_]*", re.IGNORECASE)


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    """Escape a text and put <mark> around these words (start and end positions, in order)."""
    out: list[str] = []
    position = 0
    for start, end in spans:
        out.append(escape(text[position:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


@dataclass(frozen=True)
class Highlighter:
    """The words of a text whose index form was searched: built once per search, for all its hits."""

    terms: frozenset[str]
    language: str
    candidates: re.Pattern[str] | None  # None: nothing was searched

    @classmethod
    def of(cls, terms: list[str], language: str) -> Highlighter:
        wanted = frozenset(terms)
        return cls(wanted, language, _candidates(wanted) if wanted else None)

    def spans(self, text: str) -> list[tuple[int, int]]:
        if self.candidates is None:
            return []
        return [
            match.span() for match in self.candidates.finditer(text) if stem(match.group(0).lower(), self.language) in self.terms
        ]

    def marked(self, text: str) -> str:
        """Escape a text and put <mark> around the words whose index form was searched."""
        return _marked(text, self.spans(text))

    def excerpt(self, text: str) -> str:
        """The passage of about 240 characters with the most searched words, highlighted."""
        spans = self.spans(text)
        starts = [start for start, _end in spans]
        best, best_count, right = 0, 0, 0
        for left, position in enumerate(starts):
            while right < len(starts) and starts[right] < position + EXCERPT_CHARACTERS:
                right += 1
            if right - left > best_count:
                best, best_count = position, right - left
        begin = max(0, best - 40)
        if begin:
            space = text.find(" ", begin, best)
            begin = space + 1 if space != -1 else best
        end = min(len(text), begin + EXCERPT_CHARACTERS)
        if end < len(text):
            space = text.rfind(" ", begin, end)
            end = space if space > begin else end
        passage = text[begin:end].replace("\n", " ")
        inside = [(start - begin, stop - begin) for start, stop in spans if start >= begin and stop <= end]
        return ("… " if begin else "") + _marked(passage, inside) + (" …" if end < len(text) else "")


def _hit(entry: Shown, highlighter: Highlighter) -> Hit:
    return Hit(
        key=entry.key,
        kind=entry.kind,
        url=entry.url,
        title=mark_safe(highlighter.marked(entry.title)),  # noqa: S308 - escaped by _marked
        excerpt=mark_safe(highlighter.excerpt(entry.text)),  # noqa: S308 - escaped by _marked
        language=entry.language,
    )


# --- what is indexed ----------------------------------------------------------------------------------


def article_documents(article: Any) -> list[Document]:
    from django.urls import reverse

    from egide.kb.markdown import render

    documents = []
    for language in LANGUAGES:
        with translation.override(language):
            url = reverse("kb:article", kwargs={"slug": getattr(article, f"slug_{language}")})
        body = render(getattr(article, f"body_{language}")).text
        summary = getattr(article, f"summary_{language}")
        documents.append(
            Document(
                key=f"article:{article.pk}",
                language=language,
                audience=article.audience,
                kind=article.kind,
                url=url,
                title=getattr(article, f"title_{language}"),
                keywords=getattr(article, f"keywords_{language}"),
                text=f"{summary}\n{body}" if summary else body,
            )
        )
    return documents


def offence_documents(offence: Any) -> list[Document]:
    """A row of the offences table, in both languages."""
    from django.urls import reverse

    documents = []
    for language in LANGUAGES:
        with translation.override(language):
            url = f"{reverse('kb:offences')}#{offence.code}"
        penalty, aggravated = getattr(offence, f"penalty_{language}"), getattr(offence, f"aggravated_{language}")
        documents.append(
            Document(
                key=f"offence:{offence.code}",
                language=language,
                audience=Audience.PUBLIC,
                kind="offence",
                url=url,
                title=getattr(offence, f"name_{language}"),
                keywords="",
                text=f"{offence.source_article}. {penalty}. {aggravated}".strip(),
            )
        )
    return documents


def ground_documents(ground: Any) -> list[Document]:
    """A ground of discrimination, in both languages."""
    from django.urls import reverse

    documents = []
    for language in LANGUAGES:
        with translation.override(language):
            url = f"{reverse('kb:discrimination_grounds')}#{ground.code}"
        documents.append(
            Document(
                key=f"ground:{ground.code}",
                language=language,
                audience=Audience.PUBLIC,
                kind="ground",
                url=url,
                title=getattr(ground, f"label_{language}"),
                keywords="",
                text=ground.source_article,
            )
        )
    return documents


def _has_postings() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regproc('kb_searchposting_rebuild') IS NOT NULL")
        return bool(cursor.fetchone()[0])


def reindex() -> int:
    """Rebuild the whole index from the articles and the reference data."""
    from egide.kb.models import Article, DiscriminationGround, Offence

    documents = [document for offence in Offence.objects.all() for document in offence_documents(offence)]
    documents += [document for ground in DiscriminationGround.objects.all() for document in ground_documents(ground)]
    for article in Article.objects.filter(published=True):
        documents.extend(article_documents(article))
    now = timezone.now()
    entries = [SearchEntry(key=document.key, language=document.language, **_indexed(document, now)) for document in documents]
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic():
        postings = postgresql and _has_postings()  # not when migration 0014 is being unapplied
        if postings:
            with connection.cursor() as cursor:
                # The postings are written all at once at the end, not row by row.
                cursor.execute("SELECT set_config('egide.search_postings', 'bulk', true)")
        SearchEntry.objects.all().delete()
        SearchEntry.objects.bulk_create(entries, batch_size=500)
        if postings:
            with connection.cursor() as cursor:
                cursor.execute("SELECT kb_searchposting_rebuild()")
    if postgresql and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE kb_searchentry")
            if postings:
                # Fresh statistics, and the pages marked all-visible: a search then reads the index alone.
                cursor.execute("VACUUM (ANALYZE) kb_searchposting")
    forget_vocabularies()
    return len(documents)
