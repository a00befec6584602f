"""Invented wording for rationales and actions: generic practice language, no real case detail."""

from __future__ import annotations

from risk.vocabulary import RAG

RATIONALES = {
    RAG.RED: (
        "Police call-out reported since last supervision.",
        "Child not seen at the last two planned visits.",
        "Parent disclosed relapse; no safety plan in place yet.",
        "School reports bruising; strategy discussion requested.",
        "Perpetrator believed to be back in the home.",
        "Mother's mental health has deteriorated sharply.",
    ),
    RAG.AMBER: (
        "Some engagement, but appointments missed.",
        "Attendance at school below 80%.",
        "Drinking reduced but not yet stable.",
        "Home conditions improved, still fragile.",
        "Father engaging with the perpetrator programme, early days.",
        "Worry about neglect of health appointments.",
    ),
    RAG.GREEN: (
        "Plan working well; parents engaging.",
        "Child settled at school, attendance good.",
        "Sustained abstinence for three months.",
        "Safety plan followed; no incidents reported.",
        "Good use of family support sessions.",
        "Ready to consider stepping down.",
    ),
}

ACTIONS = (
    "Joint home visit with the domestic abuse practitioner",
    "Update the safety plan with both parents",
    "Request a strategy discussion",
    "Refer mother to adult mental health services",
    "Arrange a family group conference",
    "Chase school for attendance figures",
    "Book a drug and alcohol screening",
    "Psychologist to consult with the allocated worker",
    "Review contact arrangements",
    "Complete the updated assessment",
    "Discuss with legal about the PLO threshold",
    "Start the step-down plan to early help",
)


SURNAME_STARTS = (
    "Pebble", "Thistle", "Kettle", "Puddle", "Bramble", "Nettle", "Crumpet", "Marmalade", "Quill", "Teasel",
    "Wobble", "Fiddle", "Turnip", "Gooseberry", "Sprocket", "Muffin", "Parsnip", "Snapdragon", "Biscuit", "Toffee",
)  # fmt: skip
SURNAME_ENDS = ("whistle", "bottom", "wick", "muddle", "thorpe", "snoot", "kin", "waddle", "bury", "flap")
"""Families' surnames are made from these: obviously invented ("Kettlewhistle", "Parsnipwaddle"), so nobody
mistakes the demo for real families."""
