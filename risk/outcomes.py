"""How the outcomes framework's figures and the raters' agreement are put into words for a service lead.

A lead reports to councillors and inspectors in sentences ("CP plans: 96 → 51, down 47%"), so the page, its
files and its tests share these few rules about rounding and wording. Pure: numbers in, words out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from risk.vocabulary import PLANS, LegalStatus

OUTCOME_STATUSES = PLANS
"""The plans the outcomes framework counts: every plan, least to most intrusive (closed cases are not counted)."""

OUTCOME_NAMES = {
    LegalStatus.CIN: "Children in need",
    LegalStatus.CP: "CP plans",
    LegalStatus.PLO: "Pre-proceedings (PLO)",
    LegalStatus.CARE_PROCEEDINGS: "Care proceedings",
    LegalStatus.CLA: "Looked after",
}
"""What each count is called in a sentence: the words a performance report uses."""

FLOW_STATUSES = (LegalStatus.CP, LegalStatus.PLO, LegalStatus.CARE_PROCEEDINGS)
"""Plans whose new starts each month are reported as flows (the framework's 'fewer children entering')."""

DEFAULT_BASELINE_BACK = 24
"""Hertfordshire reported its outcomes over two years: the baseline offered first is this many months back."""
CONTEXT_MONTHS = 6
"""The outcome charts start this many months before the baseline, so the baseline is seen in its context."""

ALPHA_RELIABLE = 0.8
ALPHA_TENTATIVE = 0.667
"""Krippendorff's own thresholds: 0.8 and above is reliable agreement; 0.667 to 0.8 allows tentative conclusions;
below that, the raters are not measuring the same thing in the same way."""


def change_percent(then: int, now: int) -> int | None:
    """The change from `then` to `now` as a whole percentage of `then`, rounded half away from zero (96 → 51 is
    -47). None when `then` is 0: a rise from nothing has no percentage."""
    if then == 0:
        return None
    ratio = (now - then) * 100 / then
    return int(ratio + 0.5) if ratio >= 0 else -int(-ratio + 0.5)


def change_in_words(name: str, then: int, now: int) -> str:
    """'CP plans: 96 → 51, down 47%'; 'CLA: 10 → 10, no change'; 'PLO: 0 → 4 (none at the baseline)'."""
    head = f"{name}: {then:,} → {now:,}"
    percent = change_percent(then, now)
    if percent is None:
        return head + (", no change" if now == 0 else " (none at the baseline)")
    if now == then:
        return head + ", no change"
    if percent == 0:
        return head + (", up less than 1%" if now > then else ", down less than 1%")
    return head + (f", up {percent}%" if percent > 0 else f", down {-percent}%")


def agreement_in_words(alpha: float | None) -> str:
    """What a team's agreement figure means for its supervision, in one phrase."""
    if alpha is None:
        return "not measurable (every professional gave the same rating, or too few children were rated twice)"
    if alpha >= ALPHA_RELIABLE:
        return "professionals rate the same children alike"
    if alpha >= ALPHA_TENTATIVE:
        return "professionals mostly rate alike; look at the children where they differ"
    return "professionals often see the same child differently: worth discussing how the team uses red and amber"


@dataclass(frozen=True, slots=True)
class BaselineChoice:
    """The months a lead can compare the latest with, the one offered first, and where the records begin."""

    months: tuple[dt.date, ...]
    """Every month with figures (its first day), oldest first, without gaps; the last is the latest."""
    choices: tuple[dt.date, ...]
    """Every month but the latest, which is what a baseline is compared with (the only month, if it is alone)."""
    default: dt.date
    records_begin: dt.date
    """The month of the first supervision meeting recorded (or the first month with figures)."""

    def too_early(self, baseline: dt.date) -> bool:
        """Before the first supervision meeting the records may hold only the cases still open when the service
        began (an import brings each child's current plan), so a baseline that early can understate."""
        return baseline < self.records_begin

    def context_start(self, baseline: dt.date) -> dt.date:
        """The first month the outcome charts show: CONTEXT_MONTHS before the baseline, or the first month."""
        at = self.months.index(baseline) if baseline in self.months else 0
        return self.months[max(at - CONTEXT_MONTHS, 0)]


def baseline_choice(
    months: Sequence[dt.date], first_meeting: dt.date | None, back: int = DEFAULT_BASELINE_BACK
) -> BaselineChoice:
    """The baselines on offer over `months` (first days, oldest first, one per month without gaps): the default is
    `back` months before the latest, but never before the month of the first supervision meeting (`first_meeting`),
    nor later than the last month a baseline can be."""
    ordered = tuple(months)
    begins = first_meeting.replace(day=1) if first_meeting else ordered[0]
    choices = ordered[:-1] or ordered
    back_month = ordered[max(len(ordered) - 1 - back, 0)]
    return BaselineChoice(ordered, choices, min(max(back_month, begins), choices[-1]), begins)
