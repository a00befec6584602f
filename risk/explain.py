"""A family's rating in plain English, built from the same numbers as its band, score and signals.

Professionals are named by role, never by name, so the text can go on a shared screen; children by first name.
Every list is sorted, so the same ratings always give the same words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from risk.inputs import FamilyAtMeeting
from risk.persistence import PersistenceKind, PersistentDisagreement
from risk.scoring import ChildRating, FamilyScore
from risk.signals import FamilySignals, Trend, expected_raters, in_role_order
from risk.vocabulary import RAG, Band, Role


def _roles(roles: Sequence[Role]) -> list[str]:
    """'social worker', or '2 social workers' when two professionals share a role."""
    counts = Counter(roles)
    phrases = []
    for role in in_role_order(counts):
        label = role.label
        if counts[role] > 1:
            noun, bracket, rest = label.partition(" (")
            label = f"{counts[role]} {noun}s{bracket}{rest}"
        phrases.append(label)
    return phrases


def _joined(items: Sequence[str], last: str = "and") -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def _who(roles: Sequence[Role]) -> str:
    return _joined(_roles(roles))


def _capitalised(sentence: str) -> str:
    return sentence[0].upper() + sentence[1:]


def _drivers(score: FamilyScore) -> tuple[ChildRating, ...]:
    """The children whose rating sets the family's band."""
    return tuple(child for child in score.children if Band.of(child.rating) is score.band)


def _driver_clause(child: ChildRating, name: str) -> str:
    agreeing = [r.practitioner_role for r in child.ratings if r.rag is child.rating]
    count = len(child.ratings)
    if not agreeing:  # the median of an even count whose middle two are green and red: amber, though nobody said so
        return f"the median of {count} professionals' ratings for {name} is {child.rating}"
    who = ", ".join(_roles(agreeing))
    if count == 1:
        return f"1 professional rated {name} {child.rating} ({who})"
    return f"{len(agreeing)} of {count} professionals rated {name} {child.rating} ({who})"


def _band_sentence(family: FamilyAtMeeting, score: FamilyScore, names: Mapping[int, str]) -> str:
    if score.band is Band.UNRATED:
        involved = len(expected_raters(family))
        if involved == 0:
            return "Not yet rated: no professionals are recorded as involved."
        if involved == 1:
            return "Not yet rated: the one professional involved has not rated yet."
        return f"Not yet rated: none of the {involved} professionals involved has rated yet."
    drivers = sorted(_drivers(score), key=lambda child: (names[child.child_id], child.child_id))
    clauses = "; ".join(_driver_clause(child, names[child.child_id]) for child in drivers)
    return f"{score.band.label}: {clauses}."


def _trend_sentence(family: FamilyAtMeeting, score: FamilyScore, trend: Trend) -> str:
    previous = family.previous
    if trend is Trend.NEW:
        return "New this month." if previous is None else "First rated this month."
    if trend is Trend.UNCHANGED:
        return "Unchanged since last month."
    if previous is None or previous.band is Band.UNRATED:  # not rated now, and nothing earlier to recall
        return ""
    if trend is Trend.NOT_RATED:
        return f"Was {previous.band} last month."
    if previous.band is not score.band:
        return f"{trend.label} from {previous.band} last month."
    direction = "up" if trend is Trend.DETERIORATED else "down"
    return (
        f"{trend.label} within {score.band} since last month: "
        f"score {direction} from {previous.score:.2f} to {score.score:.2f}."
    )


def _disagreement_sentences(score: FamilyScore, signals: FamilySignals, names: Mapping[int, str]) -> list[str]:
    """Say only what the band sentence has not said already about who rated the child which colour."""
    named = {child.child_id: child.rating for child in _drivers(score)}
    sentences = []
    for d in sorted(signals.disagreements, key=lambda d: (names[d.child_id], d.child_id)):
        name = names[d.child_id]
        red, green = f"{_who(d.red_by)} rated {name} red", f"{_who(d.green_by)} rated {name} green"
        if named.get(d.child_id) is RAG.RED:
            said = green
        elif named.get(d.child_id) is RAG.GREEN:
            said = red
        else:
            said = f"{red} but {green}"
        sentences.append(_capitalised(f"{said}: professionals disagree."))
    return sentences


def persistence_sentence(found: PersistentDisagreement, names: Mapping[int, str]) -> str:
    """'At 3 of the family's last 4 rated meetings the substance misuse worker rated Amy green while the domestic
    abuse practitioner (victims) rated Amy red: persistent disagreement.' When the pattern moved between children
    or roles, the sentence says how often the one named held, so no count claims more than happened."""
    if found.meetings == found.considered:
        when = f"At each of the family's last {found.considered} rated meetings"
    else:
        when = f"At {found.meetings} of the family's last {found.considered} rated meetings"
    name, low = names[found.child_id], found.lower_role.label
    if found.kind is PersistenceKind.RED_AND_GREEN:
        assert found.higher_role is not None
        split = f"the {low} rated {name} green while the {found.higher_role.label} rated {name} red"
        if found.named_meetings == found.meetings:
            return f"{when} {split}: persistent disagreement."
        return (
            f"{when} professionals rated a child both red and green; at {found.named_meetings} of them {split}: "
            "persistent disagreement."
        )
    if found.named_meetings == found.meetings:
        return f"{when} the {low} rated {name} less severely than every other professional: persistent disagreement."
    return (
        f"{when} the {low} rated one of the children less severely than every other professional ({name} at "
        f"{found.named_meetings} of them): persistent disagreement."
    )


def _missing_sentences(family: FamilyAtMeeting, signals: FamilySignals, names: Mapping[int, str]) -> list[str]:
    """One sentence per set of children not rated, so 'X and Y have not rated Ben yet' reads as one thought."""
    roles_by_gap: dict[tuple[int, ...], list[Role]] = {}
    for missing in signals.missing:
        roles_by_gap.setdefault(missing.child_ids, []).append(missing.role)
    everyone = len(family.children)
    sentences = []
    for child_ids, roles in roles_by_gap.items():
        whom = "" if len(child_ids) == everyone else " " + _joined(sorted(names[c] for c in child_ids), "or")
        verb = "has" if len(roles) == 1 else "have"
        sentences.append(_capitalised(f"{_who(roles)} {verb} not rated{whom} yet."))
    return sentences


def explain_family(family: FamilyAtMeeting, score: FamilyScore, signals: FamilySignals) -> str:
    """Band and who drives it, then the trend, disagreement now and over recent meetings, missing ratings, drift
    and overdue actions."""
    names = {child.child_id: child.first_name for child in family.children}
    sentences = [_band_sentence(family, score, names), _trend_sentence(family, score, signals.trend)]
    sentences += _disagreement_sentences(score, signals, names)
    if signals.persistent is not None:
        sentences.append(persistence_sentence(signals.persistent, names))
    if score.band is not Band.UNRATED:  # the band sentence already said nobody has rated
        sentences += _missing_sentences(family, signals, names)
    if signals.drifting:
        sentences.append(f"Not rated for {signals.days_since_rated} days.")
    if signals.overdue_actions:
        plural = "action" if signals.overdue_actions == 1 else "actions"
        sentences.append(f"{signals.overdue_actions} {plural} overdue.")
    return " ".join(sentence for sentence in sentences if sentence)
