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

UPDATES = {
    "Home visit": (
        "Two home visits since last supervision; the children were seen alone both times.",
        "Unannounced visit: home conditions improved, fridge stocked, bedrooms tidy.",
        "Visited after school; the children talked about the new routine at bedtime.",
    ),
    "Direct work with the child": (
        "Three sessions of direct work; the eldest drew the family and placed dad outside the house.",
        "Worries and wishes work with the youngest: wants more time with nan.",
    ),
    "Parenting work": (
        "Parenting sessions continue; mum is using the praise chart and it is working.",
        "Dad attended two of four parenting sessions; routines still inconsistent.",
    ),
    "Domestic abuse work": (
        "Safety planning with mum; she has the IDVA's number and a code word with school.",
        "Dad started the perpetrator programme; attended both sessions so far.",
    ),
    "Substance misuse work": (
        "Two negative tests this month; attending the recovery group weekly.",
        "Mum disclosed a lapse last weekend; relapse plan reviewed together.",
    ),
    "Mental health work": (
        "Mood has been low; GP appointment booked and crisis plan shared with the family.",
        "Attending therapy; sleeping better and managing the school run again.",
    ),
    "Multi-agency meeting": (
        "Core group met; school and health visitor both report improvement.",
        "Strategy discussion held with police and health; no further incidents since.",
    ),
}
"""Invented updates for supervision, by the kind of work (the shipped list, risk.supervision.DEFAULT_CHOICES)."""

DECISIONS = {
    "Continue the plan": (
        "Continue the plan; keep the weekly visits and review the safety plan next month.",
        "Progress noted. Continue the plan and ask school for attendance before next supervision.",
    ),
    "Step up: consider a strategy discussion": (
        "Worries have grown since last month: the team manager to consider a strategy discussion this week.",
    ),
    "Step up: legal planning meeting": ("Risks not reduced despite support: request a legal planning meeting.",),
    "Step down": ("Sustained progress: begin the step-down plan to early help.",),
}
"""Invented decisions for supervision, by outcome."""

SURNAME_STARTS = (
    "Pebble", "Thistle", "Kettle", "Puddle", "Bramble", "Nettle", "Crumpet", "Marmalade", "Quill", "Teasel",
    "Wobble", "Fiddle", "Turnip", "Gooseberry", "Sprocket", "Muffin", "Parsnip", "Snapdragon", "Biscuit", "Toffee",
)  # fmt: skip
SURNAME_ENDS = ("whistle", "bottom", "wick", "muddle", "thorpe", "snoot", "kin", "waddle", "bury", "flap")
"""Families' surnames are made from these: obviously invented ("Kettlewhistle", "Parsnipwaddle"), so nobody
mistakes the demo for real families."""
