"""The load benchmark's protocol client (benchmarks/streamlit_protocol.py) against the real app: the page it reads
and the save it makes are the ones a browser would see and make, so the meeting-day figures are about the real page.
"""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import select

from benchmarks.meeting_day import PASSWORD, sign_in_over_protocol, still_to_come_over_protocol
from benchmarks.streamlit_protocol import Session, choice
from db.models import Meeting, Rating, User
from db.session import make_engine, reading, transaction
from risk.vocabulary import RAG, MeetingStatus, Role
from tests.browser.conftest import seeded_app


def _use_benchmark_password(database_url: str, emails: list[str]) -> None:
    engine = make_engine(database_url)
    try:
        with transaction(engine) as s:
            for user in s.scalars(select(User).where(User.email.in_(emails))):
                user.password_hash = PasswordHasher().hash(PASSWORD)
    finally:
        engine.dispose()


async def _meeting(url: str, chair_email: str, practitioner_email: str) -> tuple[int, int, str, list[str]]:
    """The chair's figure before and after the practitioner saves red for a child not yet rated."""
    async with contextlib.AsyncExitStack() as stack:
        chair = await sign_in_over_protocol(stack, url, chair_email)
        practitioner: Session = await sign_in_over_protocol(stack, url, practitioner_email)
        before = still_to_come_over_protocol(chair)
        assert before is not None, chair.texts()
        unrated = next(r for r in practitioner.shown("radio") if not r.widget.HasField("default"))
        save = next(b for b in practitioner.shown("button") if b.widget.form_id == unrated.widget.form_id)
        await practitioner.submit(save, [choice(unrated, next(o for o in unrated.widget.options if "Red" in o))])
        while still_to_come_over_protocol(chair) == before:  # the chair's page refreshes by itself, on its timer
            await asyncio.sleep(0.1)
        return before, still_to_come_over_protocol(chair) or 0, unrated.widget.label, practitioner.texts()


def test_a_save_over_the_protocol_is_stored_confirmed_and_reaches_the_chair(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as app:
        _use_benchmark_password(app["database_url"], [app["team manager"], app["social worker"]])
        meeting = asyncio.wait_for(_meeting(app["url"], app["team manager"], app["social worker"]), timeout=60)
        with ThreadPoolExecutor(1) as thread:  # a loop of its own: Playwright's sync API runs one in this thread
            before, after, label, texts = thread.submit(asyncio.run, meeting).result()
        assert after == before - 1
        assert any(words.startswith("Your ratings for ") and "1 saved" in words for words in texts), texts
        engine = make_engine(app["database_url"])
        try:
            with reading(engine) as s:
                user = s.scalars(select(User).where(User.email == app["social worker"])).one()
                assert user.role is Role.SOCIAL_WORKER
                meeting = s.scalars(
                    select(Meeting).where(Meeting.team_id == user.team_id, Meeting.status == MeetingStatus.OPEN)
                ).one()
                reds = s.scalars(
                    select(Rating).where(
                        Rating.meeting_id == meeting.id, Rating.practitioner_id == user.id, Rating.rag == RAG.RED
                    )
                ).all()
                assert label.split(",")[0] in {rating.child.first_name for rating in reds}
        finally:
            engine.dispose()
