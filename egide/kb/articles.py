"""Help articles: the shipped first versions, saving with a version history, who may edit."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from egide.core.audit import audit_record
from egide.kb.models import Article, ArticleContent, ArticleVersion, Audience, Validation
from egide.org.access import user_roles
from egide.org.roles import REFERENT_ROLES, Role

CONTENT_DIR = Path(__file__).resolve().parent / "content"
_LANGUAGE_MARK = re.compile(r"^<!-- lang: (fr|en) -->\s*$", re.MULTILINE)

# Who may edit articles (and the assistant tree and the calendar): the communication and legal teams.
EDITOR_ROLES = frozenset({Role.COMMUNICATION, Role.LEGAL})
# Only the legal direction marks an article as validated.
VALIDATOR_ROLES = frozenset({Role.LEGAL})
# Who reads the articles written for référents: référents, investigators and the editors.
INTERNAL_READER_ROLES = REFERENT_ROLES | EDITOR_ROLES | {Role.INVESTIGATOR}


class ArticleFileError(ValueError):
    pass


@dataclass(frozen=True)
class ShippedArticle:
    name: str
    fields: dict[str, Any]


def parse_article(text: str, name: str = "") -> ShippedArticle:
    """Read the format of content/README.md: a front matter, then the French and English bodies."""
    if not text.startswith("---\n"):
        raise ArticleFileError(f"{name}: no front matter")
    header, separator, rest = text[4:].partition("\n---\n")
    if not separator:
        raise ArticleFileError(f"{name}: the front matter is not closed")
    fields: dict[str, Any] = {}
    for line in header.splitlines():
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise ArticleFileError(f"{name}: not a 'key: value' line: {line!r}")
        fields[key.strip()] = value.strip()
    parts = _LANGUAGE_MARK.split(rest)
    bodies = {parts[index]: parts[index + 1].strip() for index in range(1, len(parts) - 1, 2)}
    if set(bodies) != {"fr", "en"} or not all(bodies.values()):
        raise ArticleFileError(f"{name}: a French and an English body are both required")
    fields["body_fr"], fields["body_en"] = bodies["fr"], bodies["en"]
    fields["position"] = int(fields.get("position", 0))
    fields["last_reviewed"] = datetime.date.fromisoformat(fields["last_reviewed"])
    missing = {"slug_fr", "slug_en", "kind", "audience", "title_fr", "title_en"} - set(fields)
    if missing:
        raise ArticleFileError(f"{name}: missing {', '.join(sorted(missing))}")
    return ShippedArticle(name=name, fields=fields)


def shipped_articles() -> list[ShippedArticle]:
    return [
        parse_article(path.read_text(encoding="utf-8"), path.name)
        for path in sorted(CONTENT_DIR.glob("*.md"))
        if path.name != "README.md"
    ]


def load_shipped(article_model: Any = Article, version_model: Any = ArticleVersion) -> int:
    """Create the shipped articles that do not exist yet (never overwrites an edited article).

    Takes the models as arguments so a data migration can pass its historical ones.
    """
    created = 0
    now = timezone.now()
    content_fields = set(ArticleContent.CONTENT_FIELDS)
    for shipped in shipped_articles():
        fields = dict(shipped.fields)
        if article_model.objects.filter(slug_fr=fields["slug_fr"]).exists():
            continue
        content = {key: value for key, value in fields.items() if key in content_fields}
        article = article_model.objects.create(
            slug_fr=fields["slug_fr"],
            slug_en=fields["slug_en"],
            position=fields["position"],
            updated_at=now,
            version=1,
            **content,
        )
        version_model.objects.create(article=article, number=1, saved_at=now, note="Shipped first version", **content)
        created += 1
    return created


def can_edit(user: Any) -> bool:
    """The communication and legal teams (any scope) and super-administrators edit help content."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user_roles(user) & EDITOR_ROLES)


def can_validate(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user_roles(user) & VALIDATOR_ROLES)


def reads_internal(user: Any) -> bool:
    """Whether the user reads the articles for référents only: référents, investigators and the editors."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user_roles(user) & INTERNAL_READER_ROLES)


def can_read(article: ArticleContent, user: Any) -> bool:
    return article.audience != Audience.REFERENTS or reads_internal(user)


@transaction.atomic
def article_save(
    *, article: Article, content: dict[str, Any], actor: Any, note: str = "", expected_version: int | None = None
) -> ArticleVersion:
    """Save an edit as the article's next version. Refuses an edit made on an older version.

    Validation is kept only when the legal direction saves: any other edit of a validated article
    puts it back to "to be validated".
    """
    locked = Article.objects.select_for_update().get(pk=article.pk) if article.pk else article
    if expected_version is not None and locked.pk and locked.version != expected_version:
        raise StaleArticle(locked.version)
    if content.get("validation") == Validation.VALIDATED and not can_validate(actor):
        content = {**content, "validation": Validation.PENDING}
    for name in ArticleContent.CONTENT_FIELDS:
        if name in content:
            setattr(locked, name, content[name])
    for name in ("slug_fr", "slug_en", "position", "published", "owner"):
        if name in content:
            setattr(locked, name, content[name])
    now = timezone.now()
    locked.version = (locked.version + 1) if locked.pk else 1
    locked.updated_at = now
    locked.save()
    version = ArticleVersion.objects.create(
        article=locked, number=locked.version, saved_by=actor, saved_at=now, note=note[:300], **locked.content()
    )
    audit_record(
        actor=actor,
        action="kb.article_saved",
        target=locked,
        data={"version": locked.version, "validation": locked.validation},
    )
    article.pk, article.version = locked.pk, locked.version
    return version


class StaleArticle(Exception):
    def __init__(self, current: int) -> None:
        super().__init__(current)
        self.current = current
