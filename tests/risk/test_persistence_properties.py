"""Properties of persistent disagreement that must hold for any ratings a team could enter over the months."""

import datetime as dt
from dataclasses import replace
from random import Random

from hypothesis import given
from hypothesis import strategies as st

from risk.inputs import Child, EarlierRatings, FamilyAtMeeting, Professional, Rating
from risk.persistence import (
    PERSISTENCE_THRESHOLD,
    PERSISTENCE_WINDOW,
    PersistenceKind,
    persistent_disagreement,
    rated_meetings,
)
from risk.ranking import assess_family
from risk.vocabulary import RAG, Role

MEETING_DAY = dt.date(2026, 3, 11)
CHILDREN = (1, 2, 3)
rating_roles = st.sampled_from([role for role in Role if role.rates_children])


@st.composite
def meeting_ratings(draw: st.DrawFn, roles: tuple[Role, ...], min_size: int = 0) -> tuple[Rating, ...]:
    """Any of the family's professionals rating any of its children at most once each; possibly nobody at all."""
    pairs = [(child, practitioner) for child in CHILDREN for practitioner in range(1, len(roles) + 1)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, min_size=min_size, max_size=len(pairs)))
    return tuple(
        Rating(child, practitioner, roles[practitioner - 1], draw(st.sampled_from(list(RAG))))
        for child, practitioner in chosen
    )


def a_family(
    ratings: tuple[Rating, ...], earlier: list[tuple[Rating, ...]], roles: tuple[Role, ...]
) -> FamilyAtMeeting:
    """This month's ratings and the earlier meetings', last month first, one meeting every 28 days back."""
    return FamilyAtMeeting(
        family_id=1,
        case_reference="FS-1",
        opened_on=MEETING_DAY - dt.timedelta(days=1000),
        children=tuple(Child(c, f"Child {c}", None) for c in CHILDREN),
        professionals=tuple(Professional(n, role) for n, role in enumerate(roles, start=1)),
        ratings=ratings,
        previous=None,
        last_rated_on=None,
        last_discussed_on=None,
        overdue_actions=0,
        as_of=MEETING_DAY,
        history=tuple(
            EarlierRatings(MEETING_DAY - dt.timedelta(days=28 * n), given) for n, given in enumerate(earlier, start=1)
        ),
    )


@st.composite
def families(draw: st.DrawFn, max_earlier: int = 7) -> FamilyAtMeeting:
    roles = tuple(draw(st.lists(rating_roles, min_size=1, max_size=5)))
    earlier = draw(st.lists(meeting_ratings(roles), max_size=max_earlier))
    return a_family(draw(meeting_ratings(roles)), earlier, roles)


@given(families(), st.randoms())
def test_the_order_of_the_earlier_meetings_and_of_their_ratings_does_not_matter(
    family: FamilyAtMeeting, rng: Random
) -> None:
    def shuffled(items: tuple) -> tuple:  # type: ignore[type-arg]
        items = list(items)
        rng.shuffle(items)
        return tuple(items)

    reordered = replace(
        family,
        ratings=shuffled(family.ratings),
        history=shuffled(tuple(replace(e, ratings=shuffled(e.ratings)) for e in family.history)),
    )

    assert persistent_disagreement(reordered) == persistent_disagreement(family)
    assert assess_family(reordered) == assess_family(family)


@given(families(max_earlier=PERSISTENCE_THRESHOLD - 2))
def test_fewer_rated_meetings_than_the_threshold_never_flag(family: FamilyAtMeeting) -> None:
    # this month and at most threshold - 2 earlier meetings: one rated meeting short of the threshold at most
    assert persistent_disagreement(family) is None


@given(st.lists(rating_roles, min_size=1, max_size=5).map(tuple), st.data())
def test_meetings_before_the_window_are_ignored(roles: tuple[Role, ...], data: st.DataObject) -> None:
    rated = meeting_ratings(roles, min_size=1)
    recent = data.draw(st.lists(rated, min_size=PERSISTENCE_WINDOW, max_size=PERSISTENCE_WINDOW))
    older = data.draw(st.lists(meeting_ratings(roles), min_size=1, max_size=3))
    this_month = data.draw(meeting_ratings(roles))
    if this_month:  # the window is this month and the 3 before it: the 4th earlier meeting is outside it too
        older.insert(0, recent.pop())

    assert persistent_disagreement(a_family(this_month, recent + older, roles)) == persistent_disagreement(
        a_family(this_month, recent, roles)
    )


@given(families())
def test_a_flag_rests_on_counts_the_window_can_hold(family: FamilyAtMeeting) -> None:
    found = persistent_disagreement(family)

    if found is not None:
        assert PERSISTENCE_THRESHOLD <= found.meetings <= found.considered <= PERSISTENCE_WINDOW
        assert 1 <= found.named_meetings <= found.meetings
        assert found.considered == len(rated_meetings(family))
        assert (found.higher_role is None) is (found.kind is PersistenceKind.ONE_ROLE_LOWER)


@given(families(), st.sampled_from(CHILDREN), st.data())
def test_a_new_month_of_red_against_green_never_removes_a_red_against_green_flag(
    family: FamilyAtMeeting, child: int, data: st.DataObject
) -> None:
    before = persistent_disagreement(family)
    roles = tuple(p.role for p in family.professionals)
    if before is None or before.kind is not PersistenceKind.RED_AND_GREEN or len(roles) < 2:
        return
    red_by, green_by = data.draw(st.lists(st.integers(1, len(roles)), min_size=2, max_size=2, unique=True))
    split = (Rating(child, red_by, roles[red_by - 1], RAG.RED), Rating(child, green_by, roles[green_by - 1], RAG.GREEN))
    next_month = replace(
        family,
        as_of=MEETING_DAY + dt.timedelta(days=28),
        ratings=split,
        history=(EarlierRatings(MEETING_DAY, family.ratings), *family.history),
    )

    after = persistent_disagreement(next_month)

    assert after is not None and after.kind is PersistenceKind.RED_AND_GREEN
    assert after.meetings >= before.meetings
