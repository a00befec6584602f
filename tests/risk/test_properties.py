"""Properties that must hold for any ratings a team could enter, under both policies."""

import datetime as dt
import itertools
from dataclasses import replace
from random import Random

from hypothesis import given
from hypothesis import strategies as st

from risk.inputs import Child, FamilyAtMeeting, PreviousScore, Professional, Rating
from risk.policies import POLICIES
from risk.ranking import assess_family, rank_caseload
from risk.scoring import score_family
from risk.vocabulary import RAG, Band, LegalStatus, Role

MEETING_DAY = dt.date(2026, 3, 11)
BAND_RANK = {Band.RED: 0, Band.AMBER: 1, Band.UNRATED: 2, Band.GREEN: 3}
SCORE_RANGE = {Band.GREEN: (0, 33.33), Band.AMBER: (33.34, 66.66), Band.RED: (66.67, 100)}

policies = st.sampled_from(sorted(POLICIES))
rags = st.sampled_from(list(RAG))
rating_roles = st.sampled_from([role for role in Role if role.rates_children])
previous_scores = st.builds(
    PreviousScore,
    st.sampled_from(list(Band)),
    st.none() | st.floats(0, 100).map(lambda score: round(score, 2)),
    st.just(MEETING_DAY - dt.timedelta(days=28)),
)


@st.composite
def ratings_at_a_meeting(draw: st.DrawFn, min_size: int = 0) -> tuple[Rating, ...]:
    """Up to 4 children and 6 professionals, each professional rating any of the children once at most."""
    children = draw(st.integers(1, 4))
    roles = draw(st.lists(rating_roles, min_size=1, max_size=6))
    pairs = [(child, practitioner) for child in range(1, children + 1) for practitioner in range(1, len(roles) + 1)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, min_size=min_size, max_size=len(pairs)))
    return tuple(Rating(child, practitioner, roles[practitioner - 1], draw(rags)) for child, practitioner in chosen)


@st.composite
def families(draw: st.DrawFn) -> FamilyAtMeeting:
    ratings = draw(ratings_at_a_meeting())
    child_ids = sorted({r.child_id for r in ratings} | {1})
    raters = {Professional(r.practitioner_id, r.practitioner_role) for r in ratings}
    not_yet_rated = draw(st.lists(st.builds(Professional, st.integers(100, 103), rating_roles), max_size=2))
    return FamilyAtMeeting(
        family_id=0,
        case_reference="",
        opened_on=MEETING_DAY - dt.timedelta(days=draw(st.integers(0, 400))),
        children=tuple(Child(c, f"Child {c}", draw(st.none() | st.sampled_from(list(LegalStatus)))) for c in child_ids),
        professionals=tuple(sorted(raters, key=lambda p: p.practitioner_id)) + tuple(not_yet_rated),
        ratings=ratings,
        previous=draw(st.none() | previous_scores),
        last_rated_on=draw(st.none() | st.dates(MEETING_DAY - dt.timedelta(days=100), MEETING_DAY)),
        last_discussed_on=draw(st.none() | st.dates(MEETING_DAY - dt.timedelta(days=100), MEETING_DAY)),
        overdue_actions=draw(st.integers(0, 3)),
        as_of=MEETING_DAY,
    )


caseloads = st.lists(families(), max_size=8).map(
    lambda fs: [replace(f, family_id=n, case_reference=f"FS-{n:03}") for n, f in enumerate(fs)]
)


@given(ratings_at_a_meeting(), policies)
def test_the_score_stays_between_0_and_100_inside_its_bands_range(ratings: tuple[Rating, ...], policy: str) -> None:
    result = score_family(ratings, policy)

    if not ratings:
        assert (result.band, result.score) == (Band.UNRATED, None)
    else:
        assert result.score is not None
        low, high = SCORE_RANGE[result.band]
        assert 0 <= low <= result.score <= high <= 100


@given(ratings_at_a_meeting(min_size=1), policies, st.data())
def test_raising_any_one_rating_never_lowers_the_band_or_the_score(
    ratings: tuple[Rating, ...], policy: str, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(ratings) - 1))
    worse = data.draw(st.sampled_from([rag for rag in RAG if rag.level >= ratings[index].rag.level]))
    raised = (*ratings[:index], replace(ratings[index], rag=worse), *ratings[index + 1 :])

    before, after = score_family(ratings, policy), score_family(raised, policy)

    assert RAG(after.band.value).level >= RAG(before.band.value).level
    assert after.score is not None and before.score is not None
    assert after.score >= before.score


@given(ratings_at_a_meeting(), policies, st.randoms())
def test_the_order_ratings_arrive_in_does_not_matter(ratings: tuple[Rating, ...], policy: str, rng: Random) -> None:
    shuffled = list(ratings)
    rng.shuffle(shuffled)

    assert score_family(shuffled, policy) == score_family(ratings, policy)
    assert score_family(shuffled, policy).components == score_family(ratings, policy).components


@given(ratings_at_a_meeting(), policies)
def test_scoring_twice_gives_the_same_result(ratings: tuple[Rating, ...], policy: str) -> None:
    assert score_family(ratings, policy) == score_family(ratings, policy)


@given(caseloads, policies)
def test_red_outranks_amber_outranks_unrated_outranks_green(caseload: list[FamilyAtMeeting], policy: str) -> None:
    ranked = [r.assessment.score for r in rank_caseload(caseload, policy)]

    assert [BAND_RANK[s.band] for s in ranked] == sorted(BAND_RANK[s.band] for s in ranked)
    for higher, lower in itertools.pairwise(ranked):
        if higher.band is not lower.band and Band.UNRATED not in (higher.band, lower.band):
            assert higher.score is not None and lower.score is not None
            assert higher.score > lower.score


@given(caseloads, policies)
def test_an_unrated_family_is_never_green_nor_ranked_among_the_greens(
    caseload: list[FamilyAtMeeting], policy: str
) -> None:
    rated = {family.family_id: bool(family.ratings) for family in caseload}
    ranked = rank_caseload(caseload, policy)
    bands = [r.assessment.score.band for r in ranked]

    assert [band is not Band.UNRATED for band in bands] == [rated[r.assessment.family_id] for r in ranked]
    first_green = bands.index(Band.GREEN) if Band.GREEN in bands else len(bands)
    assert Band.UNRATED not in bands[first_green:]


@given(caseloads, policies)
def test_assessing_and_ranking_twice_give_the_same_cards(caseload: list[FamilyAtMeeting], policy: str) -> None:
    assert rank_caseload(caseload, policy) == rank_caseload(caseload, policy)
    assert [assess_family(f, policy) for f in caseload] == [assess_family(f, policy) for f in caseload]


@given(caseloads, policies, st.randoms())
def test_the_ranking_does_not_depend_on_the_order_families_are_listed(
    caseload: list[FamilyAtMeeting], policy: str, rng: Random
) -> None:
    shuffled = list(caseload)
    rng.shuffle(shuffled)

    assert rank_caseload(shuffled, policy) == rank_caseload(caseload, policy)
