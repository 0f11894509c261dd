"""Reference data of LEGAL.md (compiled in November 2026): the offences table (H2) and the grounds of
discrimination (H1). Each row keeps the confidence mark LEGAL.md gives it (V, S or U)."""

import datetime
from typing import Any

from django.db import migrations

VERSION_DATE = datetime.date(2026, 11, 1)  # the date LEGAL.md was compiled

CODE_PENAL = "Code pénal"
LOI_1881 = "Loi du 29 juillet 1881"

# LEGAL.md H2, in table order. Combined rows are split: INJ-NP / DIF-NP / PROV-NP and AGG-R / AGG-S.
OFFENCES: list[dict[str, str]] = [
    {
        "code": "viol",
        "name_fr": "Viol",
        "name_en": "Rape",
        "nature": "crime",
        "source_article": f"{CODE_PENAL}, art. 222-23 (définition : art. 222-22, modifié le 6 novembre 2025)",
        "penalty_fr": "15 ans de réclusion criminelle",
        "penalty_en": "15 years' criminal imprisonment",
        "aggravated_fr": (
            "20 ans de réclusion criminelle (art. 222-24 : notamment par une personne qui abuse de l'autorité que lui "
            "confèrent ses fonctions, par plusieurs personnes, sur une personne vulnérable…) ; 30 ans en cas de mort "
            "de la victime (art. 222-25) ; réclusion criminelle à perpétuité en cas de tortures (art. 222-26)"
        ),
        "aggravated_en": (
            "20 years (222-24: e.g. by a person abusing the authority of their functions, by several persons, on a "
            "vulnerable person…); 30 years if death (222-25); life if torture (222-26)"
        ),
        "confidence": "U",
        "confidence_note": "base V/S; aggravated S/U",
    },
    {
        "code": "ags",
        "name_fr": "Agression sexuelle autre que le viol",
        "name_en": "Sexual assault other than rape",
        "nature": "delit",
        "source_article": f"{CODE_PENAL}, art. 222-22 et 222-27",
        "penalty_fr": "5 ans d'emprisonnement et 75 000 € d'amende",
        "penalty_en": "5 years' imprisonment and a €75,000 fine",
        "aggravated_fr": (
            "7 ans d'emprisonnement et 100 000 € d'amende (art. 222-28 : abus d'autorité, pluralité d'auteurs, usage "
            "d'une arme, blessure, mise en contact par un réseau de communication électronique… ; art. 222-29 : "
            "victime vulnérable)"
        ),
        "aggravated_en": (
            "7 years / €100,000 (222-28: abuse of authority, several persons, weapon, injury, contact made online…; "
            "222-29: vulnerable victim)"
        ),
        "confidence": "S",
    },
    {
        "code": "hs",
        "name_fr": "Harcèlement sexuel",
        "name_en": "Sexual harassment",
        "nature": "delit",
        "source_article": f"{CODE_PENAL}, art. 222-33",
        "penalty_fr": "2 ans d'emprisonnement et 30 000 € d'amende",
        "penalty_en": "2 years' imprisonment and a €30,000 fine",
        "aggravated_fr": (
            "3 ans d'emprisonnement et 45 000 € d'amende (abus d'autorité, mineur, personne vulnérable, précarité "
            "économique, pluralité d'auteurs, en ligne, en présence d'un mineur…)"
        ),
        "aggravated_en": (
            "3 years / €45,000 (abuse of authority, minor, vulnerable person, economic precarity, several persons, "
            "online, minor present…)"
        ),
        "confidence": "V",
    },
    {
        "code": "oss-c",
        "name_fr": "Outrage sexiste et sexuel",
        "name_en": "Sexist and sexual outrage",
        "nature": "contravention",
        "source_article": f"{CODE_PENAL}, art. R.625-8-3 (décret n° 2023-227, à compter du 1er avril 2023)",
        "penalty_fr": "contravention de 5e classe : 1 500 € (3 000 € en récidive)",
        "penalty_en": "5th-class contravention: €1,500 (€3,000 if repeat offence)",
        "aggravated_fr": "",
        "aggravated_en": "",
        "confidence": "S",
    },
    {
        "code": "oss-d",
        "name_fr": "Outrage sexiste et sexuel aggravé",
        "name_en": "Aggravated sexist and sexual outrage",
        "nature": "delit",
        "source_article": f"{CODE_PENAL}, art. 222-33-1-1 (loi n° 2023-22, à compter du 1er avril 2023)",
        "penalty_fr": "délit : 3 750 € d'amende (amende forfaitaire 300 €)",
        "penalty_en": "délit: €3,750 fine (fixed fine €300)",
        "aggravated_fr": (
            "circonstances aggravantes : abus d'autorité, mineur, vulnérabilité, précarité, pluralité d'auteurs, "
            "transport collectif, orientation sexuelle ou identité de genre, récidive"
        ),
        "aggravated_en": (
            "aggravating factors: abuse of authority, minor, vulnerability, precarity, several persons, public "
            "transport, sexual orientation or gender identity, repeat offence"
        ),
        "confidence": "V",
    },
    {
        "code": "exh",
        "name_fr": "Exhibition sexuelle",
        "name_en": "Sexual exposure",
        "nature": "delit",
        "source_article": f"{CODE_PENAL}, art. 222-32",
        "penalty_fr": "1 an d'emprisonnement et 15 000 € d'amende",
        "penalty_en": "1 year's imprisonment and a €15,000 fine",
        "aggravated_fr": "peine plus élevée si la victime est mineure",
        "aggravated_en": "higher if the victim is a minor",
        # LEGAL.md marks the row [S] but the aggravated maximum itself [U]: the weaker mark wins.
        "confidence": "U",
        "confidence_note": "base S; aggravated (minor victim) U",
    },
    {
        "code": "hm-t",
        "name_fr": "Harcèlement moral au travail",
        "name_en": "Moral harassment at work",
        "nature": "delit",
        "source_article": f"{CODE_PENAL}, art. 222-33-2",
        "penalty_fr": "2 ans d'emprisonnement et 30 000 € d'amende",
        "penalty_en": "2 years' imprisonment and a €30,000 fine",
        "aggravated_fr": "",
        "aggravated_en": "",
        "confidence": "S",
        "confidence_note": "S: text quoted",
    },
    {
        "code": "hm",
        "name_fr": "Harcèlement moral (y compris cyberharcèlement et raids numériques)",
        "name_en": "Moral harassment (including cyber-harassment and online raids)",
        "nature": "delit",
        "source_article": f"{CODE_PENAL}, art. 222-33-2-2",
        "penalty_fr": "1 an d'emprisonnement et 15 000 € d'amende (ITT inférieure ou égale à 8 jours)",
        "penalty_en": "1 year's imprisonment and a €15,000 fine (ITT ≤ 8 days)",
        "aggravated_fr": (
            "2 ans d'emprisonnement et 30 000 € d'amende (ITT supérieure à 8 jours, mineur, personne vulnérable, "
            "en ligne ou par voie numérique, titulaire d'un mandat électif, en présence d'un mineur) ; 3 ans d'emprisonnement et 45 000 € d'amende (deux circonstances)"
        ),
        "aggravated_en": (
            "2 years / €30,000 (ITT > 8 days, minor, vulnerable person, online or digital, elected official, minor "
            "present); 3 years / €45,000 (two circumstances)"
        ),
        "confidence": "V",
    },
    {
        "code": "hsco",
        "name_fr": "Harcèlement scolaire",
        "name_en": "School harassment",
        "nature": "delit",
        "source_article": f"{CODE_PENAL}, art. 222-33-2-3 (loi n° 2022-299)",
        "penalty_fr": "3 ans d'emprisonnement et 45 000 € d'amende",
        "penalty_en": "3 years' imprisonment and a €45,000 fine",
        "aggravated_fr": (
            "5 ans d'emprisonnement et 75 000 € d'amende (ITT supérieure à 8 jours) ; 10 ans d'emprisonnement et "
            "150 000 € d'amende (suicide de la victime)"
        ),
        "aggravated_en": "5 years / €75,000 (ITT > 8 days); 10 years / €150,000 (suicide)",
        "confidence": "U",
        "confidence_note": "applicability to higher-education students unclear",
    },
    {
        "code": "voy",
        "name_fr": "Voyeurisme",
        "name_en": "Voyeurism",
        "nature": "delit",
        "source_article": f"{CODE_PENAL}, art. 226-3-1",
        "penalty_fr": "1 an d'emprisonnement et 15 000 € d'amende",
        "penalty_en": "1 year's imprisonment and a €15,000 fine",
        "aggravated_fr": (
            "2 ans d'emprisonnement et 30 000 € d'amende (abus d'autorité, mineur, personne vulnérable, pluralité "
            "d'auteurs, transport collectif, images enregistrées ou transmises)"
        ),
        "aggravated_en": (
            "2 years / €30,000 (abuse of authority, minor, vulnerable person, several persons, transport, images "
            "recorded or transmitted)"
        ),
        "confidence": "V",
    },
    {
        "code": "diff-int",
        "name_fr": "Diffusion sans consentement d'images ou de paroles à caractère sexuel",
        "name_en": "Disseminating sexual images or words without consent",
        "nature": "delit",
        "source_article": f"{CODE_PENAL}, art. 226-2-1",
        "penalty_fr": "2 ans d'emprisonnement et 60 000 € d'amende",
        "penalty_en": "2 years' imprisonment and a €60,000 fine",
        "aggravated_fr": "",
        "aggravated_en": "",
        "confidence": "V",
    },
    {
        "code": "biz",
        "name_fr": "Bizutage",
        "name_en": "Hazing",
        "nature": "delit",
        "source_article": f"{CODE_PENAL}, art. 225-16-1 et 225-16-2",
        "penalty_fr": "6 mois d'emprisonnement et 7 500 € d'amende",
        "penalty_en": "6 months' imprisonment and a €7,500 fine",
        "aggravated_fr": (
            "1 an d'emprisonnement et 15 000 € d'amende (victime vulnérable) ; responsabilité pénale des personnes "
            "morales (art. 225-16-3)"
        ),
        "aggravated_en": "1 year / €15,000 (vulnerable victim); legal persons liable (225-16-3)",
        "confidence": "V",
    },
    {
        "code": "disc",
        "name_fr": "Discrimination",
        "name_en": "Discrimination",
        "nature": "delit",
        "source_article": f"{CODE_PENAL}, art. 225-1, 225-1-1, 225-1-2 et 225-2",
        "penalty_fr": "3 ans d'emprisonnement et 45 000 € d'amende",
        "penalty_en": "3 years' imprisonment and a €45,000 fine",
        "aggravated_fr": (
            "5 ans d'emprisonnement et 75 000 € d'amende (lieu accueillant du public ; ou art. 432-7 si commise par "
            "une personne dépositaire de l'autorité publique ou chargée d'une mission de service public)"
        ),
        "aggravated_en": "5 years / €75,000 (public place; or CP 432-7 if committed by a public agent)",
        "confidence": "S",
        "confidence_note": "V/S",
    },
    {
        "code": "inj-p",
        "name_fr": "Injure publique à caractère discriminatoire",
        "name_en": "Public insult on discriminatory grounds",
        "nature": "delit",
        "source_article": f"{LOI_1881}, art. 33 al. 3-4",
        "penalty_fr": "1 an d'emprisonnement et 45 000 € d'amende",
        "penalty_en": "1 year's imprisonment and a €45,000 fine",
        "aggravated_fr": "",
        "aggravated_en": "",
        "confidence": "S",
    },
    {
        "code": "dif-p",
        "name_fr": "Diffamation publique à caractère discriminatoire",
        "name_en": "Public defamation on discriminatory grounds",
        "nature": "delit",
        "source_article": f"{LOI_1881}, art. 32 al. 2-3",
        "penalty_fr": "1 an d'emprisonnement et 45 000 € d'amende",
        "penalty_en": "1 year's imprisonment and a €45,000 fine",
        "aggravated_fr": "",
        "aggravated_en": "",
        "confidence": "U",
    },
    {
        "code": "prov",
        "name_fr": "Provocation publique à la discrimination, à la haine ou à la violence",
        "name_en": "Public incitement to discrimination, hatred or violence",
        "nature": "delit",
        "source_article": f"{LOI_1881}, art. 24 al. 7-8",
        "penalty_fr": "1 an d'emprisonnement et 45 000 € d'amende",
        "penalty_en": "1 year's imprisonment and a €45,000 fine",
        "aggravated_fr": "",
        "aggravated_en": "",
        "confidence": "S",
    },
    {
        "code": "inj-np",
        "name_fr": "Injure non publique à caractère discriminatoire",
        "name_en": "Non-public insult on discriminatory grounds",
        "nature": "contravention",
        "source_article": f"{CODE_PENAL}, art. R.625-8-1",
        "penalty_fr": "contravention de 5e classe : 1 500 €",
        "penalty_en": "5th-class contravention: €1,500",
        "aggravated_fr": "",
        "aggravated_en": "",
        "confidence": "V",
    },
    {
        "code": "dif-np",
        "name_fr": "Diffamation non publique à caractère discriminatoire",
        "name_en": "Non-public defamation on discriminatory grounds",
        "nature": "contravention",
        "source_article": f"{CODE_PENAL}, art. R.625-8",
        "penalty_fr": "contravention de 5e classe : 1 500 €",
        "penalty_en": "5th-class contravention: €1,500",
        "aggravated_fr": "",
        "aggravated_en": "",
        "confidence": "S",
    },
    {
        "code": "prov-np",
        "name_fr": "Provocation non publique à la discrimination, à la haine ou à la violence",
        "name_en": "Non-public incitement to discrimination, hatred or violence",
        "nature": "contravention",
        "source_article": f"{CODE_PENAL}, art. R.625-7",
        "penalty_fr": "contravention de 5e classe : 1 500 €",
        "penalty_en": "5th-class contravention: €1,500",
        "aggravated_fr": "",
        "aggravated_en": "",
        "confidence": "S",
    },
    {
        "code": "viol-phys",
        "name_fr": "Violences volontaires",
        "name_en": "Deliberate violence",
        "nature": "delit",
        "source_article": (
            f"{CODE_PENAL}, art. 222-11 (ITT supérieure à 8 jours) ; art. 222-13 (ITT inférieure ou égale à 8 jours "
            "avec une circonstance aggravante) ; art. R.625-1 et R.624-1"
        ),
        "penalty_fr": "3 ans d'emprisonnement et 45 000 € d'amende (art. 222-11 et 222-13)",
        "penalty_en": "3 years' imprisonment and a €45,000 fine (222-11 and 222-13)",
        "aggravated_fr": "peines plus élevées en cas de circonstances aggravantes supplémentaires",
        "aggravated_en": "more with additional circumstances",
        "confidence": "U",
    },
    {
        "code": "men",
        "name_fr": "Menaces",
        "name_en": "Threats",
        "nature": "delit",
        "source_article": f"{CODE_PENAL}, art. 222-17 et 222-18",
        "penalty_fr": "6 mois d'emprisonnement et 7 500 € d'amende (art. 222-17)",
        "penalty_en": "6 months' imprisonment and a €7,500 fine (222-17)",
        "aggravated_fr": (
            "3 ans d'emprisonnement et 45 000 € d'amende (menaces de mort, menaces faites avec l'ordre de remplir une condition)"
        ),
        "aggravated_en": "3 years / €45,000 (death threats, threats with an order to fulfil a condition)",
        "confidence": "U",
    },
    {
        "code": "mal",
        "name_fr": "Appels ou messages malveillants réitérés",
        "name_en": "Repeated malicious calls or messages",
        "nature": "delit",
        "source_article": f"{CODE_PENAL}, art. 222-16",
        "penalty_fr": "1 an d'emprisonnement et 15 000 € d'amende",
        "penalty_en": "1 year's imprisonment and a €15,000 fine",
        "aggravated_fr": "",
        "aggravated_en": "",
        "confidence": "U",
    },
    {
        "code": "conf",
        "name_fr": "Violation de la confidentialité d'un signalement (lanceur d'alerte)",
        "name_en": "Breaching the confidentiality of a whistleblower report",
        "nature": "delit",
        "source_article": "Loi n° 2016-1691, art. 9-II",
        "penalty_fr": "2 ans d'emprisonnement et 30 000 € d'amende",
        "penalty_en": "2 years' imprisonment and a €30,000 fine",
        "aggravated_fr": "",
        "aggravated_en": "",
        "confidence": "V",
    },
    {
        "code": "dencal",
        "name_fr": "Dénonciation calomnieuse",
        "name_en": "False accusation (abusive report)",
        "nature": "delit",
        "source_article": f"{CODE_PENAL}, art. 226-10",
        "penalty_fr": "5 ans d'emprisonnement et 45 000 € d'amende",
        "penalty_en": "5 years' imprisonment and a €45,000 fine",
        "aggravated_fr": "",
        "aggravated_en": "",
        "confidence": "U",
    },
    {
        "code": "agg-r",
        "name_fr": "Mobile raciste ou religieux (circonstance aggravante)",
        "name_en": "Racist or religious motive (aggravating circumstance)",
        "nature": "circumstance",
        "source_article": f"{CODE_PENAL}, art. 132-76",
        "penalty_fr": "peine encourue relevée d'un degré",
        "penalty_en": "penalties raised by one level",
        "aggravated_fr": "",
        "aggravated_en": "",
        "confidence": "S",
    },
    {
        "code": "agg-s",
        "name_fr": "Mobile sexiste, homophobe ou transphobe (circonstance aggravante)",
        "name_en": "Sexist, homophobic or transphobic motive (aggravating circumstance)",
        "nature": "circumstance",
        "source_article": f"{CODE_PENAL}, art. 132-77",
        "penalty_fr": "peine encourue relevée d'un degré",
        "penalty_en": "penalties raised by one level",
        "aggravated_fr": "",
        "aggravated_en": "",
        "confidence": "U",
    },
]

CP_225_1 = f"{CODE_PENAL}, art. 225-1"
CT_L1132_1 = "Code du travail, art. L.1132-1"
CGFP_L131_1 = "Code général de la fonction publique, art. L.131-1"

# LEGAL.md H1, in order: (code, source, source_article, confidence, label_fr, label_en).
GROUNDS: list[tuple[str, str, str, str, str, str]] = [
    # Code pénal art. 225-1: the 24 numbered criteria.
    ("penal-origine", "penal", CP_225_1, "V", "Origine", "Origin"),
    ("penal-sexe", "penal", CP_225_1, "V", "Sexe", "Sex"),
    ("penal-situation-de-famille", "penal", CP_225_1, "V", "Situation de famille", "Family situation"),
    ("penal-grossesse", "penal", CP_225_1, "V", "Grossesse", "Pregnancy"),
    ("penal-apparence-physique", "penal", CP_225_1, "V", "Apparence physique", "Physical appearance"),
    (
        "penal-vulnerabilite-economique",
        "penal",
        CP_225_1,
        "V",
        "Particulière vulnérabilité résultant de la situation économique, apparente ou connue de l'auteur",
        "Particular vulnerability resulting from the economic situation, apparent or known to the perpetrator",
    ),
    ("penal-patronyme", "penal", CP_225_1, "V", "Patronyme", "Surname"),
    ("penal-lieu-de-residence", "penal", CP_225_1, "V", "Lieu de résidence", "Place of residence"),
    ("penal-etat-de-sante", "penal", CP_225_1, "V", "État de santé", "State of health"),
    ("penal-perte-d-autonomie", "penal", CP_225_1, "V", "Perte d'autonomie", "Loss of autonomy"),
    ("penal-handicap", "penal", CP_225_1, "V", "Handicap", "Disability"),
    ("penal-caracteristiques-genetiques", "penal", CP_225_1, "V", "Caractéristiques génétiques", "Genetic characteristics"),
    ("penal-moeurs", "penal", CP_225_1, "V", "Mœurs", "Morals (mœurs)"),
    ("penal-orientation-sexuelle", "penal", CP_225_1, "V", "Orientation sexuelle", "Sexual orientation"),
    ("penal-identite-de-genre", "penal", CP_225_1, "V", "Identité de genre", "Gender identity"),
    ("penal-age", "penal", CP_225_1, "V", "Âge", "Age"),
    ("penal-opinions-politiques", "penal", CP_225_1, "V", "Opinions politiques", "Political opinions"),
    ("penal-activites-syndicales", "penal", CP_225_1, "V", "Activités syndicales", "Trade-union activities"),
    (
        "penal-lanceur-d-alerte",
        "penal",
        CP_225_1,
        "S",  # added by loi 2022-401 from 1 September 2022, seen in secondary sources only
        "Qualité de lanceur d'alerte, de facilitateur ou de personne en lien avec un lanceur d'alerte",
        "Being a whistleblower, a facilitator or a person connected with a whistleblower",
    ),
    (
        "penal-langue",
        "penal",
        CP_225_1,
        "V",
        "Capacité à s'exprimer dans une langue autre que le français",
        "Ability to express oneself in a language other than French",
    ),
    (
        "penal-ethnie",
        "penal",
        CP_225_1,
        "V",
        "Appartenance ou non-appartenance, vraie ou supposée, à une ethnie",
        "Membership or non-membership, true or supposed, of an ethnic group",
    ),
    (
        "penal-nation",
        "penal",
        CP_225_1,
        "V",
        "Appartenance ou non-appartenance, vraie ou supposée, à une Nation",
        "Membership or non-membership, true or supposed, of a nation",
    ),
    (
        "penal-race",
        "penal",
        CP_225_1,
        "V",
        "Appartenance ou non-appartenance, vraie ou supposée, à une prétendue race",
        "Membership or non-membership, true or supposed, of a so-called race",
    ),
    (
        "penal-religion",
        "penal",
        CP_225_1,
        "V",
        "Appartenance ou non-appartenance, vraie ou supposée, à une religion déterminée",
        "Membership or non-membership, true or supposed, of a particular religion",
    ),
    # Also discrimination under the Code pénal.
    (
        "penal-harcelement-sexuel",
        "penal",
        f"{CODE_PENAL}, art. 225-1-1",
        "V",
        "Avoir subi ou refusé de subir des faits de harcèlement sexuel, ou en avoir témoigné",
        "Having suffered or refused sexual harassment, or testified about it",
    ),
    (
        "penal-bizutage",
        "penal",
        f"{CODE_PENAL}, art. 225-1-2",
        "V",
        "Avoir subi ou refusé de subir des faits de bizutage, ou en avoir témoigné",
        "Having suffered or refused hazing, or testified about it",
    ),
    # Extra grounds of the Code du travail.
    ("labour-activites-mutualistes", "labour", CT_L1132_1, "S", "Activités mutualistes", "Mutual-society activities"),
    ("labour-domiciliation-bancaire", "labour", CT_L1132_1, "V", "Domiciliation bancaire", "Bank domiciliation"),
    ("labour-convictions-religieuses", "labour", CT_L1132_1, "S", "Convictions religieuses", "Religious convictions"),
    ("labour-nom-de-famille", "labour", CT_L1132_1, "S", "Nom de famille", "Family name"),
    ("labour-mandat-electif", "labour", CT_L1132_1, "U", "Exercice d'un mandat électif", "Holding an elective office"),
    # Civil-service list (Code général de la fonction publique).
    (
        "civil-service-opinions",
        "civil_service",
        CGFP_L131_1,
        "S",
        "Opinions politiques, syndicales, philosophiques ou religieuses",
        "Political, trade-union, philosophical or religious opinions",
    ),
    ("civil-service-origine", "civil_service", CGFP_L131_1, "S", "Origine", "Origin"),
    (
        "civil-service-orientation-identite",
        "civil_service",
        CGFP_L131_1,
        "S",
        "Orientation sexuelle ou identité de genre",
        "Sexual orientation or gender identity",
    ),
    ("civil-service-age", "civil_service", CGFP_L131_1, "S", "Âge", "Age"),
    ("civil-service-patronyme", "civil_service", CGFP_L131_1, "S", "Patronyme", "Surname"),
    (
        "civil-service-famille-grossesse",
        "civil_service",
        CGFP_L131_1,
        "S",
        "Situation de famille ou de grossesse",
        "Family situation or pregnancy",
    ),
    ("civil-service-etat-de-sante", "civil_service", CGFP_L131_1, "S", "État de santé", "State of health"),
    ("civil-service-apparence-physique", "civil_service", CGFP_L131_1, "S", "Apparence physique", "Physical appearance"),
    ("civil-service-handicap", "civil_service", CGFP_L131_1, "S", "Handicap", "Disability"),
    (
        "civil-service-ethnie-race",
        "civil_service",
        CGFP_L131_1,
        "S",
        "Appartenance ou non-appartenance, vraie ou supposée, à une ethnie ou une race",
        "Membership or non-membership, true or supposed, of an ethnic group or a race",
    ),
    (
        "civil-service-sexe",
        "civil_service",
        "Code général de la fonction publique, art. L.131-2",
        "S",
        "Sexe",
        "Sex",
    ),
]


def load(apps: Any, schema_editor: Any) -> None:
    Offence = apps.get_model("kb", "Offence")
    DiscriminationGround = apps.get_model("kb", "DiscriminationGround")
    for index, row in enumerate(OFFENCES, start=1):
        fields = {key: value for key, value in row.items() if key != "code"}
        Offence.objects.get_or_create(code=row["code"], defaults={**fields, "position": index * 10, "version_date": VERSION_DATE})
    for index, (code, source, source_article, confidence, label_fr, label_en) in enumerate(GROUNDS, start=1):
        DiscriminationGround.objects.get_or_create(
            code=code,
            defaults={
                "position": index * 10,
                "label_fr": label_fr,
                "label_en": label_en,
                "source": source,
                "source_article": source_article,
                "confidence": confidence,
                "version_date": VERSION_DATE,
            },
        )


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("kb", "Offence").objects.filter(code__in=[row["code"] for row in OFFENCES]).delete()
    apps.get_model("kb", "DiscriminationGround").objects.filter(code__in=[row[0] for row in GROUNDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
