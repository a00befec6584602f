"""Rater calibration for service leads: do a team's professionals rate the same child alike, and does each role
rate more or less severely than the colleagues rating the same children?

The multi-professional rating is the heart of Family Safeguarding: a mental health practitioner's red among
social workers' greens is a signal. But if a team's raters disagree about most children, the ratings say more
about who rated than about the child, and supervision should talk about how the team uses red, amber and green.
No case system shows this.

Agreement is Krippendorff's alpha for ordinal data (green < amber < red), computed by the `krippendorff` package
from counts grouped when each meeting closed (db/services/meeting_summaries.py): each child at a closed meeting
rated by two or more professionals is one unit, and a meeting's summary says how many units had each mix of
greens, ambers and reds (a few dozen mixes per team and month), never the ratings themselves. The roles beside
their colleagues are added up from the same summaries, so neither figure reads a rating. Roles only, never a
person's name.
"""

from __future__ import annotations

import datetime as dt
import warnings

import krippendorff
import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.access import scoped_team_ids
from db.models import Meeting, MeetingRatingMix, MeetingRoleComparison, Office, Team, User
from db.session import reading
from risk.months import month_start, months_back
from risk.outcomes import agreement_in_words
from risk.vocabulary import RAG, RATINGS, Role

AGREEMENT_COLUMNS = ["office", "team", "month", "alpha", "children", "ratings", "in_words"]
"""alpha: Krippendorff's alpha (ordinal), missing where it cannot be measured; children: children rated by two
or more professionals at the team's closed meetings that month (the units alpha rests on); ratings: their ratings."""

SEVERITY_COLUMNS = ["role", "ratings", "comparisons", "more_severe", "same", "less_severe"]
"""Each rating compared with every other professional's rating of the same child at the same meeting: the share of
those comparisons in which the role's rating was more severe, the same or less severe."""

LEVELS = tuple(reversed(RATINGS))
"""The ratings least severe first (green, amber, red): the ordinal scale alpha is measured on."""


def _window(session: Session, team_ids: set[int], months: int) -> dt.date | None:
    """The first day of the `months` ending with the latest closed meeting in scope (as the heatmaps), or None."""
    latest = session.scalar(
        select(func.max(Meeting.held_on)).where(Meeting.team_id.in_(team_ids), Meeting.closed_at.is_not(None))
    )
    return None if latest is None else months_back(latest, months)[0]


def alpha_from_counts(counts: np.ndarray) -> float | None:
    """Krippendorff's alpha (ordinal) from a units × (green, amber, red) matrix of rating counts; None where it is
    not defined (fewer than two values used, so there is no disagreement to measure against)."""
    if counts.size == 0 or counts.sum() == 0:
        return None
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        value = krippendorff.alpha(
            value_counts=counts, value_domain=[level.level for level in LEVELS], level_of_measurement="ordinal"
        )
    return None if value is None or np.isnan(value) else round(float(value), 3)


def rater_agreement(
    engine: Engine, actor: User | None, months: int = 12, *, office_id: int | None = None
) -> pd.DataFrame:
    """Per team and month: agreement between the professionals who rated the same child at the same closed
    meeting (Krippendorff's alpha, ordinal), with the number of children it rests on.

    A team that met twice in a month has both meetings' children counted. Every team and month with a closed
    meeting has a row: where no child was rated by two professionals, 0 children and no alpha (the heatmap's
    '–'), rather than a gap that could be read as a team that did not meet. Columns: AGREEMENT_COLUMNS.
    """
    with reading(engine) as session:
        team_ids = scoped_team_ids(session, actor, office_id)
        since = _window(session, team_ids, months) if team_ids else None
        if since is None:
            return pd.DataFrame(columns=AGREEMENT_COLUMNS)
        m = MeetingRatingMix
        mixes = session.execute(
            select(Office.name, Team.name, Meeting.held_on, m.greens, m.ambers, m.reds, m.children)
            .join(Meeting, Meeting.id == m.meeting_id)
            .join(Team, Team.id == Meeting.team_id)
            .join(Office, Office.id == Team.office_id)
            .where(Meeting.team_id.in_(team_ids), Meeting.closed_at.is_not(None), Meeting.held_on >= since)
        ).all()
        met = session.execute(
            select(Office.name, Team.name, Meeting.held_on)
            .join(Team, Team.id == Meeting.team_id)
            .join(Office, Office.id == Team.office_id)
            .where(Meeting.team_id.in_(team_ids), Meeting.closed_at.is_not(None), Meeting.held_on >= since)
        ).all()
    by_month: dict[tuple[str, str, dt.date], list[tuple[int, ...]]] = {
        (office, team, month_start(held_on)): [] for office, team, held_on in met
    }
    for office, team, held_on, *mix_and_count in mixes:  # a count per level (green first), then how many units
        by_month[(office, team, month_start(held_on))].append(tuple(mix_and_count))
    rows = []
    for (office, team, month), group in sorted(by_month.items()):
        mix = np.array(group, dtype=float).reshape(-1, len(LEVELS) + 1)
        counts = np.repeat(mix[:, : len(LEVELS)], mix[:, len(LEVELS)].astype(int), axis=0)
        alpha = alpha_from_counts(counts)
        rows.append((office, team, month, alpha, len(counts), int(counts.sum()), agreement_in_words(alpha)))
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def role_severity(
    engine: Engine, actor: User | None, months: int = 12, *, office_id: int | None = None
) -> pd.DataFrame:
    """Per professional role across the teams in scope: how its ratings compare with the other professionals'
    ratings of the same child at the same closed meeting (shares of comparisons more severe, the same, less
    severe). Roles only; a role nobody else rated alongside is left out. Greenest role first.
    Columns: SEVERITY_COLUMNS.
    """
    with reading(engine) as session:
        team_ids = scoped_team_ids(session, actor, office_id)
        since = _window(session, team_ids, months) if team_ids else None
        if since is None:
            return pd.DataFrame(columns=SEVERITY_COLUMNS)
        # each meeting's ratings beside their own child's counts, grouped when it closed, added up by role and colour
        c = MeetingRoleComparison
        rows = session.execute(
            select(c.role, c.rag, func.sum(c.ratings), func.sum(c.greens), func.sum(c.ambers), func.sum(c.reds))
            .join(Meeting, Meeting.id == c.meeting_id)
            .where(Meeting.team_id.in_(team_ids), Meeting.closed_at.is_not(None), Meeting.held_on >= since)
            .group_by(c.role, c.rag)
        ).all()
    tally: dict[Role, list[int]] = {}
    for role, rag, n, *at_levels in rows:
        # the unit's counts include this rating itself: the others at its own level are that count minus one
        others = {level: int(count) for level, count in zip(LEVELS, at_levels, strict=True)}
        level = LEVELS.index(RAG(rag))
        others[RAG(rag)] -= int(n)
        below = sum(others[lv] for lv in LEVELS[:level])
        above = sum(others[lv] for lv in LEVELS[level + 1 :])
        t = tally.setdefault(Role(role), [0, 0, 0, 0])
        t[0] += int(n)
        t[1] += below
        t[2] += others[RAG(rag)]
        t[3] += above
    out = []
    for role, (ratings, more, same, less) in tally.items():
        comparisons = more + same + less
        if comparisons == 0:
            continue
        out.append(
            (
                role.label.capitalize(),
                ratings,
                comparisons,
                round(more / comparisons, 4),
                round(same / comparisons, 4),
                round(less / comparisons, 4),
            )
        )
    frame = pd.DataFrame(out, columns=SEVERITY_COLUMNS)
    # greenest first: the role most often less severe than its colleagues, net of the times it was more severe
    frame["net"] = frame["more_severe"] - frame["less_severe"]
    return frame.sort_values(["net", "role"]).drop(columns="net").reset_index(drop=True)
