"""The statutory delays of LEGAL.md (R16, R17, R21, R29, R31, R32, R44, R48, R49, R22), each with its
source, version date and confidence as written there. The legal direction corrects them as data."""

import datetime

from django.db import migrations

VERSION = datetime.date(2026, 11, 1)

# code, label fr, label en, amount, unit, source, confidence
DELAYS = [
    (
        "acknowledgement",
        "Accusé de réception écrit",
        "Written acknowledgement",
        7,
        "working_days",
        "Décret 2022-1284, art. 4 ; arrêtés ministériels (LEGIARTI000053397157, JORFARTI000049613703)",
        "S",
    ),
    (
        "feedback",
        "Retour écrit à l'auteur du signalement",
        "Written feedback to the reporter",
        3,
        "months",
        "Décret 2022-1284, art. 4 ; arrêtés ministériels (LEGIARTI000051188414, LEGIARTI000051588087)",
        "S",
    ),
    (
        "oral-meeting",
        "Rencontre demandée par l'auteur du signalement",
        "Meeting requested by the reporter",
        20,
        "working_days",
        "Décret 2022-1284 ; arrêtés ministériels (JORFARTI000048880528, LEGIARTI000049318359)",
        "S",
    ),
    (
        "inform-targeted",
        "Information de la personne visée",
        "Informing the person targeted",
        1,
        "months",
        "RGPD art. 14(3)(a) ; CNIL AU-004 (JORFARTI000035456594)",
        "U",
    ),
    (
        "retention-after-closure",
        "Conservation après clôture sans suite",
        "Retention after closure without proceedings",
        2,
        "months",
        "CNIL AU-004 et référentiel 2019 ; arrêté (JORFARTI000037826575)",
        "S",
    ),
    (
        "protection-decision",
        "Décision sur la protection fonctionnelle (rejet implicite)",
        "Decision on protection fonctionnelle (implicit rejection)",
        2,
        "months",
        "Silence de l'administration : rejet implicite (droit administratif général) ; CGFP L.134-1 à L.134-12",
        "U",
    ),
    (
        "limitation-crime",
        "Prescription de l'action publique : crimes",
        "Limitation period: crimes",
        20,
        "years",
        "Code de procédure pénale, art. 7 (loi 2017-242)",
        "S",
    ),
    (
        "limitation-delit",
        "Prescription de l'action publique : délits",
        "Limitation period: délits",
        6,
        "years",
        "Code de procédure pénale, art. 8 (loi 2017-242)",
        "S",
    ),
    (
        "limitation-contravention",
        "Prescription de l'action publique : contraventions",
        "Limitation period: contraventions",
        1,
        "years",
        "Code de procédure pénale, art. 9 (loi 2017-242)",
        "S",
    ),
    (
        "discipline-students",
        "Engagement des poursuites disciplinaires : usagers",
        "Disciplinary proceedings: students",
        3,
        "years",
        "Code de l'éducation R.811-10 et suivants (décret 2020-785) ; applicabilité aux écoles de l'IMT à vérifier",
        "U",
    ),
    (
        "discipline-staff",
        "Engagement des poursuites disciplinaires : agents",
        "Disciplinary proceedings: staff",
        3,
        "years",
        "CGFP L.532-2",
        "U",
    ),
    (
        "retaliation-checkin-first",
        "Point de suivi contre les représailles (1er)",
        "Check-in against retaliation (first)",
        3,
        "months",
        "CGFP (article précédant L.135-6, probablement L.135-5) ; loi 2016-1691 art. 10-1",
        "U",
    ),
    (
        "retaliation-checkin-second",
        "Point de suivi contre les représailles (2e)",
        "Check-in against retaliation (second)",
        6,
        "months",
        "CGFP (article précédant L.135-6, probablement L.135-5) ; loi 2016-1691 art. 10-1",
        "U",
    ),
]


def load(apps, schema_editor):
    StatutoryDelay = apps.get_model("core", "StatutoryDelay")
    for code, label_fr, label_en, amount, unit, source, confidence in DELAYS:
        StatutoryDelay.objects.update_or_create(
            code=code,
            defaults={
                "label_fr": label_fr,
                "label_en": label_en,
                "amount": amount,
                "unit": unit,
                "source_article": source,
                "version_date": VERSION,
                "confidence": confidence,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_statutorydelay")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
