"""Reads that disclose case data are audited too: opening a family's history, downloading a file.

The pages call these after the scoped query has already decided what the user may see, so they only record.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from db.access import require_active, require_visible_family
from db.models import User
from db.services.audit import record
from db.session import transaction


def record_view(engine: Engine, actor: User | None, entity_type: str, entity_id: int) -> None:
    actor = require_active(actor)
    with transaction(engine) as session:
        if entity_type == "family":  # a restricted family is shown to nobody, so nobody is recorded viewing it
            require_visible_family(session, entity_id)
        record(session, actor, "view", entity_type, entity_id)


def record_download(
    engine: Engine, actor: User | None, what: str, entity_id: int | None, details: dict[str, Any]
) -> None:
    """`what` names the file (e.g. 'caseload_csv'); `details` says what was in it, never the data itself."""
    actor = require_active(actor)
    with transaction(engine) as session:
        record(session, actor, "download", what, entity_id, after=details)
