"""The reference data migration (kb 0002) loads LEGAL.md H1 and H2 as they stand, with their confidence marks."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps

from egide.kb.models import Confidence, DiscriminationGround, Nature, Offence

pytestmark = pytest.mark.django_db

VERSION_DATE = datetime.date(2026, 11, 1)

OFFENCE_CODES = {
    "viol",
    "ags",
    "hs",
    "oss-c",
    "oss-d",
    "exh",
    "hm-t",
    "hm",
    "hsco",
    "voy",
    "diff-int",
    "biz",
    "disc",
    "inj-p",
    "dif-p",
    "prov",
    "inj-np",
    "dif-np",
    "prov-np",
    "viol-phys",
    "men",
    "mal",
    "conf",
    "dencal",
    "agg-r",
    "agg-s",
}

CONTRAVENTIONS = {"oss-c": "R.625-8-3", "inj-np": "R.625-8-1", "dif-np": "R.625-8", "prov-np": "R.625-7"}

PENAL_CRITERIA_FR = [
    "Origine",
    "Sexe",
    "Situation de famille",
    "Grossesse",
    "Apparence physique",
    "Particulière vulnérabilité résultant de la situation économique, apparente ou connue de l'auteur",
    "Patronyme",
    "Lieu de résidence",
    "État de santé",
    "Perte d'autonomie",
    "Handicap",
    "Caractéristiques génétiques",
    "Mœurs",
    "Orientation sexuelle",
    "Identité de genre",
    "Âge",
    "Opinions politiques",
    "Activités syndicales",
    "Qualité de lanceur d'alerte, de facilitateur ou de personne en lien avec un lanceur d'alerte",
    "Capacité à s'exprimer dans une langue autre que le français",
    "Appartenance ou non-appartenance, vraie ou supposée, à une ethnie",
    "Appartenance ou non-appartenance, vraie ou supposée, à une Nation",
    "Appartenance ou non-appartenance, vraie ou supposée, à une prétendue race",
    "Appartenance ou non-appartenance, vraie ou supposée, à une religion déterminée",
]


def test_counts() -> None:
    assert Offence.objects.count() == 26
    assert DiscriminationGround.objects.count() == 42
    assert DiscriminationGround.objects.filter(source=DiscriminationGround.Source.PENAL).count() == 26
    assert DiscriminationGround.objects.filter(source=DiscriminationGround.Source.LABOUR).count() == 5
    assert DiscriminationGround.objects.filter(source=DiscriminationGround.Source.CIVIL_SERVICE).count() == 11


def test_offence_codes_snapshot() -> None:
    assert set(Offence.objects.values_list("code", flat=True)) == OFFENCE_CODES


def test_offences_follow_the_table_order() -> None:
    codes = list(Offence.objects.values_list("code", flat=True))
    assert codes[:3] == ["viol", "ags", "hs"]
    assert codes[-2:] == ["agg-r", "agg-s"]
    assert list(Offence.objects.values_list("position", flat=True)) == list(range(10, 270, 10))


def test_every_offence_is_sourced_named_and_dated() -> None:
    for offence in Offence.objects.all():
        assert offence.source_article.strip(), offence.code
        assert offence.name_fr.strip() and offence.name_en.strip(), offence.code
        assert offence.penalty_fr.strip() and offence.penalty_en.strip(), offence.code
        assert bool(offence.aggravated_fr) == bool(offence.aggravated_en), offence.code
        assert offence.version_date == VERSION_DATE, offence.code
        assert offence.confidence in Confidence.values, offence.code


def test_every_ground_is_sourced_labelled_and_dated() -> None:
    for ground in DiscriminationGround.objects.all():
        assert ground.source_article.strip(), ground.code
        assert ground.label_fr.strip() and ground.label_en.strip(), ground.code
        assert ground.label_fr[0].isupper(), ground.code
        assert ground.version_date == VERSION_DATE, ground.code
        assert ground.confidence in Confidence.values, ground.code


def test_rape_is_a_crime_and_triggers_article_40() -> None:
    rape = Offence.objects.get(code="viol")
    assert rape.nature == Nature.CRIME
    assert rape.triggers_article_40
    assert rape.name_fr == "Viol"
    assert rape.penalty_fr == "15 ans de réclusion criminelle"


def test_r6xx_rows_are_contraventions_without_article_40() -> None:
    for code, article in CONTRAVENTIONS.items():
        offence = Offence.objects.get(code=code)
        assert offence.source_article.startswith(f"Code pénal, art. {article}"), code
        assert offence.nature == Nature.CONTRAVENTION, code
        assert not offence.triggers_article_40, code
    contraventions = set(Offence.objects.filter(nature=Nature.CONTRAVENTION).values_list("code", flat=True))
    assert contraventions == set(CONTRAVENTIONS)


def test_every_crime_or_delit_triggers_article_40() -> None:
    for offence in Offence.objects.filter(nature__in=[Nature.CRIME, Nature.DELIT]):
        assert offence.triggers_article_40, offence.code
    assert Offence.objects.get(code="oss-d").nature == Nature.DELIT
    assert set(Offence.objects.filter(nature=Nature.CIRCUMSTANCE).values_list("code", flat=True)) == {"agg-r", "agg-s"}


@pytest.mark.parametrize(
    ("code", "confidence", "note"),
    [
        ("hs", Confidence.VERIFIED, ""),
        ("dencal", Confidence.UNVERIFIED, ""),
        ("oss-c", Confidence.SECONDARY, ""),
        ("viol", Confidence.UNVERIFIED, "base V/S; aggravated S/U"),
        ("disc", Confidence.SECONDARY, "V/S"),
        ("hsco", Confidence.UNVERIFIED, "applicability to higher-education students unclear"),
        ("voy", Confidence.VERIFIED, ""),
        ("inj-np", Confidence.VERIFIED, ""),
        ("dif-np", Confidence.SECONDARY, ""),
        ("agg-r", Confidence.SECONDARY, ""),
        ("agg-s", Confidence.UNVERIFIED, ""),
    ],
)
def test_confidence_matches_legal_md(code: str, confidence: str, note: str) -> None:
    offence = Offence.objects.get(code=code)
    assert offence.confidence == confidence
    assert offence.confidence_note == note


def test_split_rows_keep_their_own_articles() -> None:
    articles = dict(Offence.objects.filter(code__in=["agg-r", "agg-s"]).values_list("code", "source_article"))
    assert articles == {"agg-r": "Code pénal, art. 132-76", "agg-s": "Code pénal, art. 132-77"}


def test_the_24_penal_criteria_are_present_in_order() -> None:
    criteria = DiscriminationGround.objects.filter(source_article="Code pénal, art. 225-1").order_by("position")
    assert list(criteria.values_list("label_fr", flat=True)) == PENAL_CRITERIA_FR
    not_verified = set(criteria.exclude(confidence=Confidence.VERIFIED).values_list("code", flat=True))
    assert not_verified == {"penal-lanceur-d-alerte"}


def test_penal_law_also_covers_harassment_and_hazing() -> None:
    articles = dict(
        DiscriminationGround.objects.filter(code__in=["penal-harcelement-sexuel", "penal-bizutage"]).values_list(
            "code", "source_article"
        )
    )
    assert articles == {"penal-harcelement-sexuel": "Code pénal, art. 225-1-1", "penal-bizutage": "Code pénal, art. 225-1-2"}


def test_labour_grounds_keep_their_own_marks() -> None:
    marks = dict(DiscriminationGround.objects.filter(source=DiscriminationGround.Source.LABOUR).values_list("code", "confidence"))
    assert marks == {
        "labour-activites-mutualistes": "S",
        "labour-domiciliation-bancaire": "V",
        "labour-convictions-religieuses": "S",
        "labour-nom-de-famille": "S",
        "labour-mandat-electif": "U",
    }
    assert set(
        DiscriminationGround.objects.filter(source=DiscriminationGround.Source.LABOUR).values_list("source_article", flat=True)
    ) == {"Code du travail, art. L.1132-1"}


def test_civil_service_grounds_are_secondary() -> None:
    grounds = DiscriminationGround.objects.filter(source=DiscriminationGround.Source.CIVIL_SERVICE)
    assert set(grounds.values_list("confidence", flat=True)) == {"S"}
    assert grounds.get(code="civil-service-sexe").source_article == "Code général de la fonction publique, art. L.131-2"


def test_the_migration_reverses_to_nothing_and_loads_again() -> None:
    migration = importlib.import_module("egide.kb.migrations.0002_reference_data")
    migration.unload(apps, None)
    assert not Offence.objects.exists()
    assert not DiscriminationGround.objects.exists()
    migration.load(apps, None)
    assert Offence.objects.count() == 26
    assert DiscriminationGround.objects.count() == 42
