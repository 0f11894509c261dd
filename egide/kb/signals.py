"""Keep the search index in step with the articles and the reference data."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save

from egide.kb import search
from egide.kb.models import Article, DiscriminationGround, Offence


def _article_saved(sender: Any, instance: Article, **kwargs: Any) -> None:
    """Index in the same transaction: a rolled-back edit leaves the index as it was."""
    if instance.published:
        search.index_documents(search.article_documents(instance))
    else:
        search.remove_documents(f"article:{instance.pk}")


def _article_deleted(sender: Any, instance: Article, **kwargs: Any) -> None:
    search.remove_documents(f"article:{instance.pk}")


def _reference_changed(sender: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:  # fixtures being loaded: reindex once they are all in (`manage.py kb_reindex`)
        search.reindex()


def _migrated(sender: AppConfig, **kwargs: Any) -> None:
    search.reindex()


def connect(app: AppConfig) -> None:
    post_save.connect(_article_saved, sender=Article, dispatch_uid="kb_article_saved")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="kb_article_deleted")
    for model in (Offence, DiscriminationGround):
        post_save.connect(_reference_changed, sender=model, dispatch_uid=f"kb_{model.__name__}_saved")
        post_delete.connect(_reference_changed, sender=model, dispatch_uid=f"kb_{model.__name__}_deleted")
    post_migrate.connect(_migrated, sender=app, dispatch_uid="kb_migrated")
