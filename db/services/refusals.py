"""Refused accesses as audit events (`access.denied`): who, what was asked for, from where.

A refusal is noted when its AccessDenied is made (db/request_context.py), inside work whose transaction then rolls
back; it is written here afterwards, in a transaction of its own, once the run that made it has ended."""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from db.errors import DatabaseFault
from db.request_context import RequestContext, bound
from db.services.audit import record
from db.session import transaction

logger = logging.getLogger(__name__)
REASON_MAX = 200


def record_refusals(engine: Engine, context: RequestContext) -> int:
    """Write and forget the run's refusals; how many were written. A database that cannot take them now (the
    fault the page is already saying) loses them with a warning naming only how many."""
    refusals, context.refusals = context.refusals, []
    if not refusals:
        return 0
    try:
        with bound(context), transaction(engine) as session:
            for refusal in refusals:
                event = record(
                    session,
                    None,
                    "access.denied",
                    "access",
                    None,
                    after={"asked_for": refusal.asked_for, "page": context.page, "reason": refusal.reason[:REASON_MAX]},
                )
                event.actor_id = context.actor_id
    except DatabaseFault:
        logger.warning("%d refused access(es) could not be written to the audit trail", len(refusals))
        return 0
    return len(refusals)
