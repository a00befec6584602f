"""Import an SSD extract: its reader (`building`) turns it into the import's plan, and the one writer applies it, all
or nothing, in one transaction, audited. A dry run makes the same checks and counts in a read-only transaction,
writing nothing (so the page can check every upload without locking anyone out).

Monthly re-sync is the normal use, so applying the same extract twice changes nothing the second time. Families
and children are matched on their SSD ids (the family's case reference is its SSD family id, a child's its person
id); professionals on the email the mapping gives them. The extract holds the case system's whole history: a child
whose legal status history in it differs from the one held has it replaced by the extract's (before and after in
the audit trail); involvements are updated to the extract's, and one still running that the extract no longer has
is ended today. A family absent from the extract is closed only with `close_missing`. Nothing else is removed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from db.access import require_admin_or_command_line
from db.imports.ssd.building import SSD_EXTRACT, build_plan
from db.imports.ssd.extract import Extract
from db.imports.ssd.mapping import Mapping
from db.imports.summary import ImportSummary
from db.imports.writer import Progress, Source, apply_plan
from db.models import User


def import_ssd(
    engine: Engine,
    actor: User | None,
    extract: Extract,
    mapping: Mapping,
    *,
    dry_run: bool = False,
    close_missing: bool = False,
    create_accounts: bool = False,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Check the whole extract against the mapping and the records held, then (unless `dry_run`) apply it.

    Raises ImportRefused with every problem (nothing written). Only administrators import; actor None is the
    command line. `create_accounts` creates the professionals who have no account yet, inactive and without a
    password (an administrator activates them); without it their involvements are left out and listed.
    """
    require_admin_or_command_line(actor)
    today = today or dt.date.today()
    report = progress or (lambda *_: None)
    plan = build_plan(extract, mapping, today)
    report("Building families from the extract", 1, 1)
    source = Source(SSD_EXTRACT, extract.source, extract.sha256, extract.row_count, {"source": extract.source})
    return apply_plan(
        engine,
        actor,
        plan,
        source,
        today=today,
        dry_run=dry_run,
        close_missing=close_missing,
        create_accounts=create_accounts,
        progress=report,
    )
