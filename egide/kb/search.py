"""Search across the articles and the reference data, in French and in English.

Words are normalised here, in Python, the same way for the index and for the query: lower case,
Snowball stem (French or English), accents removed, stop words dropped. The database only matches
and ranks the normalised words: PostgreSQL with a weighted tsvector (GIN) and `ts_rank`, SQLite
with FTS5 and `bm25`, so both engines find the same documents. A query word that is not in the
index is corrected to the closest indexed word (one or two typos); excerpts are cut and
highlighted here too.

Nothing about a query is stored or logged: people type what happened to them.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone, translation
from django.utils.html import escape
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


def index_documents(documents: list[Document]) -> None:
    """Insert or replace these documents in the index."""
    now = timezone.now()
    with transaction.atomic():
        for document in documents:
            surface = {unaccent(word) for word in words(f"{document.title} {document.keywords} {document.text}")}
            SearchEntry.objects.update_or_create(
                key=document.key,
                language=document.language,
                defaults={
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
                },
            )
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


def search(query: str, language: str, *, referents: bool = False, limit: int = 10) -> Results:
    """The best matches for a query in a language, articles and reference rows apart.

    Articles for référents only are searched when `referents` is true.
    """
    found, corrections = query_terms(query, language)
    vocab = vocabulary(language)
    terms = Terms(rare=[t for t in found if not vocab.common(t)], common=[t for t in found if vocab.common(t)])
    audiences = [choice.value for choice in Audience if referents or choice != Audience.REFERENTS]
    articles = _ranked_ids(terms, language, audiences, limit, reference=False) if terms else []
    if terms.common and not terms.rare and len(articles) < limit:
        # Only common words, and too few of them in titles: search them everywhere after all.
        articles = _ranked_ids(Terms(rare=terms.common, common=[]), language, audiences, limit, reference=False)
    references = _ranked_ids(Terms(rare=found, common=[]), language, audiences, min(limit, 8), reference=True) if terms else []
    entries = SearchEntry.objects.in_bulk([entry_id for entry_id, _score in articles + references])
    return Results(
        query=query,
        language=language,
        hits=[_hit(entries[entry_id], found) for entry_id, _score in articles if entry_id in entries],
        references=[_hit(entries[entry_id], found) for entry_id, _score in references if entry_id in entries],
        corrections=corrections,
    )


def _ranked_ids(terms: Terms, language: str, audiences: list[str], limit: int, *, reference: bool) -> list[tuple[int, float]]:
    if language not in LANGUAGES:
        raise ValueError(language)
    if connection.vendor == "postgresql":
        return _ranked_postgresql(terms, language, audiences, limit, reference=reference)
    return _ranked_sqlite(terms, language, audiences, limit, reference=reference)


def _ranked_postgresql(
    terms: Terms, language: str, audiences: list[str], limit: int, *, reference: bool
) -> list[tuple[int, float]]:
    placeholders = ", ".join(["%s"] * len(audiences))
    kinds = ", ".join(f"'{kind}'" for kind in REFERENCE_KINDS)
    kind_filter = f"e.kind {'IN' if reference else 'NOT IN'} ({kinds})"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.id, ts_rank(e.vector, q, 1) AS score "  # noqa: S608 - only placeholders and constants
            "FROM kb_searchentry e, to_tsquery('simple', %s) q "
            f"WHERE e.vector @@ q AND e.language = %s AND e.audience IN ({placeholders}) AND {kind_filter} "
            "ORDER BY score DESC, e.id LIMIT %s",
            [
                " | ".join([*(f"'{term}'" for term in terms.rare), *(f"'{term}':AB" for term in terms.common)]),
                language,
                *audiences,
                limit,
            ],
        )
        return [(row[0], row[1]) for row in cursor.fetchall()]


def _ranked_sqlite(terms: Terms, language: str, audiences: list[str], limit: int, *, reference: bool) -> list[tuple[int, float]]:
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
                f"SELECT rowid, bm25({table}, 10.0, 4.0, 1.0) AS score FROM {table} "  # noqa: S608 - a name from two lists
                f"WHERE {table} MATCH %s ORDER BY score, rowid LIMIT %s",
                [match, fetch],
            )
            rows = cursor.fetchall()
            allowed = set(
                SearchEntry.objects.filter(pk__in=[row[0] for row in rows], audience__in=audiences).values_list("pk", flat=True)
            )
            ranked = [(row[0], row[1]) for row in rows if row[0] in allowed]
            if len(ranked) >= limit or len(rows) < fetch:
                return ranked[:limit]
            fetch *= 4


EXCERPT_CHARACTERS = 240
_ACCENTED = {"a": "aàâä", "c": "cç", "e": "eéèêë", "i": "iîï", "o": "oôö", "u": "uùûü", "y": "yÿ"}


def _candidates(terms: set[str]) -> re.Pattern[str]:
    """Words that may have one of these index forms: a stem is (nearly) a prefix of its words, accents aside."""

    def pattern(term: str) -> str:
        prefix = term[:-1] if len(term) > 3 else term
        return "".join(f"[{_ACCENTED[char]}]" if char in _ACCENTED else re.escape(char) for char in prefix)

    alternatives = "|".join(pattern(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*", re.IGNORECASE)


def _matches(text: str, terms: set[str], language: str) -> list[re.Match[str]]:
    if not terms:
        return []
    return [match for match in _candidates(terms).finditer(text) if stem(match.group(0).lower(), language) in terms]


def _marked(text: str, terms: set[str], language: str) -> str:
    """Escape a text and put <mark> around the words whose index form was searched."""
    out: list[str] = []
    position = 0
    for match in _matches(text, terms, language):
        out.append(escape(text[position : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out)


def excerpt(text: str, terms: set[str], language: str) -> str:
    """The passage of about 240 characters with the most searched words, highlighted."""
    starts = [match.start() for match in _matches(text, terms, language)]
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
    return ("… " if begin else "") + _marked(passage, terms, language) + (" …" if end < len(text) else "")


def _hit(entry: SearchEntry, terms: list[str]) -> Hit:
    wanted = set(terms)
    return Hit(
        key=entry.key,
        kind=entry.kind,
        url=entry.url,
        title=mark_safe(_marked(entry.title, wanted, entry.language)),  # noqa: S308 - escaped by _marked
        excerpt=mark_safe(excerpt(entry.text, wanted, entry.language)),  # noqa: S308 - escaped by _marked
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


def reindex() -> int:
    """Rebuild the whole index from the articles and the reference data."""
    from egide.kb.models import Article, DiscriminationGround, Offence

    documents = [document for offence in Offence.objects.all() for document in offence_documents(offence)]
    documents += [document for ground in DiscriminationGround.objects.all() for document in ground_documents(ground)]
    for article in Article.objects.filter(published=True):
        documents.extend(article_documents(article))
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        index_documents(documents)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            # Fresh statistics, or the planner scans every row of a language instead of using the index.
            cursor.execute("ANALYZE kb_searchentry")
    forget_vocabularies()
    return len(documents)
