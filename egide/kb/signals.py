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


def _offence_saved(sender: Any, instance: Offence, raw: bool = False, **kwargs: Any) -> None:
    if not raw:  # fixtures being loaded: `manage.py kb_reindex` once they are all in
        search.index_documents(search.offence_documents(instance))


def _ground_saved(sender: Any, instance: DiscriminationGround, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        search.index_documents(search.ground_documents(instance))


def _reference_deleted(sender: Any, instance: Offence | DiscriminationGround, **kwargs: Any) -> None:
    search.remove_documents(f"{'offence' if sender is Offence else 'ground'}:{instance.code}")


def _migrated(sender: AppConfig, **kwargs: Any) -> None:
    search.reindex()


def connect(app: AppConfig) -> None:
    post_save.connect(_article_saved, sender=Article, dispatch_uid="kb_article_saved")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="kb_article_deleted")
    post_save.connect(_offence_saved, sender=Offence, dispatch_uid="kb_offence_saved")
    post_save.connect(_ground_saved, sender=DiscriminationGround, dispatch_uid="kb_ground_saved")
    for model in (Offence, DiscriminationGround):
        post_delete.connect(_reference_deleted, sender=model, dispatch_uid=f"kb_{model.__name__}_deleted")
    post_migrate.connect(_migrated, sender=app, dispatch_uid="kb_migrated")
