"""The first version of the orientation assistant's questions, choices and pages to read.

Written from the reporting scheme and the reference data; the communication and legal roles can
change it. Each page named here exists in Égide (URL names are checked by a test).
"""

from typing import Any

from django.db import migrations

D = "reports:start"

QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "danger",
        "text": (
            "Quelqu’un est-il en danger en ce moment, ou pourrait-il l’être dans les heures qui viennent ?",
            "Is anyone in danger right now, or could they be in the coming hours?",
        ),
        "help": ("Vous, ou une autre personne.", "You, or someone else."),
        "choices": [
            ("yes", ("Oui", "Yes"), True, None),
            ("unsure", ("Je ne sais pas", "I do not know"), True, None),
            ("no", ("Non", "No"), False, None),
        ],
    },
    {
        "key": "who",
        "text": ("Quelle est votre place dans cette situation ?", "What is your place in this situation?"),
        "help": ("", ""),
        "choices": [
            ("victim", ("Cela m’est arrivé", "It happened to me"), False, None),
            ("witness", ("J’en ai été témoin", "I witnessed it"), False, None),
            ("confidant", ("Quelqu’un s’est confié à moi", "Someone confided in me"), False, None),
        ],
    },
    {
        "key": "what",
        "text": ("Qu’est-ce qui ressemble le plus à ce qui s’est passé ?", "What is closest to what happened?"),
        "help": (
            "Choisissez ce qui s’en approche, même si ce n’est pas exact.",
            "Choose what comes closest, even if it is not exact.",
        ),
        "choices": [
            (
                "sexual",
                (
                    "Des gestes à caractère sexuel sans consentement, une agression sexuelle, un viol",
                    "Sexual acts without consent, a sexual assault, a rape",
                ),
                False,
                None,
            ),
            (
                "sexist",
                (
                    "Des remarques, des blagues ou des pressions sexuelles ou sexistes",
                    "Sexual or sexist remarks, jokes or pressure",
                ),
                False,
                None,
            ),
            (
                "moral",
                (
                    "Des humiliations, une mise à l’écart ou des pressions répétées au travail ou en cours",
                    "Repeated humiliation, exclusion or pressure at work or in class",
                ),
                False,
                None,
            ),
            (
                "discrimination",
                ("Être traité·e injustement à cause de ce que je suis", "Being treated unfairly because of who I am"),
                False,
                None,
            ),
            ("online", ("Des messages, des photos ou des vidéos en ligne", "Messages, photos or videos online"), False, None),
            ("violence", ("Des violences, des menaces ou de l’intimidation", "Violence, threats or intimidation"), False, None),
            ("unsure", ("Je ne sais pas comment le décrire", "I do not know how to describe it"), False, None),
        ],
    },
    {
        "key": "wish",
        "text": ("Qu’aimeriez-vous maintenant ?", "What would you like now?"),
        "help": ("Rien ne vous engage : vous pourrez changer d’avis.", "Nothing commits you: you can change your mind."),
        "choices": [
            (
                "talk",
                ("En parler à quelqu’un, en confiance", "To talk to someone, in confidence"),
                False,
                (
                    "Contactez la cellule d’écoute ou un référent de votre entité (ci-dessous) : ils vous écoutent en toute "
                    "confidentialité, vous informent de vos droits et de l’accompagnement possible, sans obligation de signaler.",
                    "Contact the listening cell or a référent of your entity (below): they listen in confidence, tell you about "
                    "your rights and the support available, with no obligation to report.",
                    "org:home",
                ),
            ),
            (
                "report",
                ("Signaler les faits pour que quelque chose soit fait", "To report the facts so that something is done"),
                False,
                (
                    "Vous pouvez signaler en ligne, anonymement si vous le souhaitez, et suivre votre signalement avec un code.",
                    "You can report online, anonymously if you wish, and follow your report with a code.",
                    D,
                ),
            ),
            (
                "understand",
                ("Comprendre ce que dit la loi et mes droits", "To understand what the law says and my rights"),
                False,
                (
                    "Lisez ce que dit la loi ci-dessous ; un référent peut aussi vous l’expliquer.",
                    "Read what the law says below; a référent can also explain it to you.",
                    "kb:offences",
                ),
            ),
            (
                "complaint",
                ("Porter plainte", "To file a complaint"),
                False,
                (
                    "Vous pouvez porter plainte dans tout commissariat ou toute gendarmerie, ou vous renseigner en ligne ; "
                    "vous pouvez aussi signaler en interne en même temps.",
                    "You can file a complaint at any police station or gendarmerie, or ask online first; you can also report "
                    "internally at the same time.",
                    "reports:channels",
                ),
            ),
        ],
    },
    {
        "key": "entity",
        "text": ("Dans quelle école ou entité cela se passe-t-il ?", "In which school or entity is this happening?"),
        "help": (
            "Pour vous donner les bons contacts. Ce choix n’est enregistré nulle part.",
            "To give you the right contacts. This choice is not recorded anywhere.",
        ),
        "asks_entity": True,
        "choices": [],
    },
]

# Pages to read, by choice: (question key, choice key) -> [(title fr, title en, url name, anchor)]
RESOURCES: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {
    ("what", "sexual"): [
        ("Le viol : ce que dit la loi", "Rape: what the law says", "kb:offences", "viol"),
        ("L’agression sexuelle : ce que dit la loi", "Sexual assault: what the law says", "kb:offences", "ags"),
    ],
    ("what", "sexist"): [
        ("Le harcèlement sexuel", "Sexual harassment", "kb:offences", "hs"),
        ("L’outrage sexiste et sexuel", "Sexist and sexual outrage", "kb:offences", "oss-c"),
    ],
    ("what", "moral"): [
        ("Le harcèlement moral au travail", "Moral harassment at work", "kb:offences", "hm-t"),
        ("Le harcèlement moral", "Moral harassment", "kb:offences", "hm"),
    ],
    ("what", "discrimination"): [
        (
            "Les critères de discrimination reconnus par la loi",
            "The grounds of discrimination recognised by law",
            "kb:discrimination_grounds",
            "",
        ),
        ("La discrimination : ce que dit la loi", "Discrimination: what the law says", "kb:offences", "disc"),
    ],
    ("what", "online"): [
        ("La diffusion d’images intimes sans consentement", "Sharing intimate images without consent", "kb:offences", "diff-int"),
        ("Le cyberharcèlement", "Online harassment", "kb:offences", "hm"),
    ],
    ("what", "violence"): [
        ("Les violences volontaires", "Deliberate violence", "kb:offences", "viol-phys"),
        ("Les menaces", "Threats", "kb:offences", "men"),
    ],
    ("what", "unsure"): [
        ("Comment se passe un signalement", "How reporting works", "reports:how", ""),
        ("Ce que dit la loi : infractions et peines", "What the law says: offences and penalties", "kb:offences", ""),
    ],
    ("wish", "complaint"): [
        (
            "Les autres voies : police, gendarmerie, Défenseur des droits",
            "Other channels: police, gendarmerie, Défenseur des droits",
            "reports:channels",
            "",
        ),
    ],
}


def load(apps: Any, schema_editor: Any) -> None:
    question_model = apps.get_model("kb", "AssistantQuestion")
    choice_model = apps.get_model("kb", "AssistantChoice")
    resource_model = apps.get_model("kb", "AssistantResource")
    for q_index, spec in enumerate(QUESTIONS, start=1):
        question = question_model.objects.create(
            key=spec["key"],
            position=q_index * 10,
            text_fr=spec["text"][0],
            text_en=spec["text"][1],
            help_fr=spec["help"][0],
            help_en=spec["help"][1],
            asks_entity=spec.get("asks_entity", False),
        )
        for c_index, (key, (label_fr, label_en), urgent, step) in enumerate(spec["choices"], start=1):
            choice = choice_model.objects.create(
                question=question,
                key=key,
                position=c_index * 10,
                label_fr=label_fr,
                label_en=label_en,
                urgent=urgent,
                next_step_fr=step[0] if step else "",
                next_step_en=step[1] if step else "",
                next_url_name=step[2] if step else "",
            )
            for r_index, (title_fr, title_en, url_name, anchor) in enumerate(RESOURCES.get((spec["key"], key), []), start=1):
                resource_model.objects.create(
                    choice=choice, position=r_index * 10, title_fr=title_fr, title_en=title_en, url_name=url_name, anchor=anchor
                )


def unload(apps: Any, schema_editor: Any) -> None:
    apps.get_model("kb", "AssistantQuestion").objects.filter(key__in=[spec["key"] for spec in QUESTIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("kb", "0003_assistant")]
    operations = [migrations.RunPython(load, unload)]
