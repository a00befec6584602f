"""`fsdash users create --sso-only`: an account that signs in with single sign-on only, and never on the password
form (the same answer as a wrong password, and nothing counted towards a lockout)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from dashboard.cli import main
from db.models import User
from db.services.accounts import NO_MATCH, SignInFailed, sign_in
from db.session import reading, transaction
from tests.db.factories import make_team


def test_an_sso_only_account_is_made_without_a_password_and_never_signs_in_with_one(
    db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    with transaction(engine) as s:
        make_team(s)
    main(["--database-url", db_url, "users", "create", "--email", "chair@example.org", "--name", "Chair Person",
          "--role", "team_manager", "--team", "Stevenage A", "--sso-only"])  # fmt: skip
    assert "Created team manager account for chair@example.org" in capsys.readouterr().out
    with reading(engine) as s:
        chair = s.scalars(select(User).where(User.email == "chair@example.org")).one()
    assert chair.password_hash is None and not chair.must_change_password
    for guess in ("", "anything at all here", "supervision-demo"):
        with pytest.raises(SignInFailed) as refused:
            sign_in(engine, "chair@example.org", guess)
        assert str(refused.value) == NO_MATCH
    with reading(engine) as s:
        assert s.get_one(User, chair.id).failed_sign_ins == 0
