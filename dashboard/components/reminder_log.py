"""The Admin page's record of reminders sent: when, to whom, which kind, for which team's meeting or which action.
The messages themselves are not kept, so they cannot be shown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components.grids import show_grid
from dashboard.components.text import uk_date
from dashboard.state import engine
from db.mail import mail_settings
from db.models import User
from db.queries.reminders import reminder_log
from db.services.reminders import reminder_settings
from db.settings import SettingProblem, time_zone


def reminder_log_panel(user: User) -> None:
    _relay_state()
    rows, total = reminder_log(engine(), user)
    if not rows:
        st.caption("No reminder has been sent yet.")
        return
    zone = time_zone()
    frame = pd.DataFrame(
        [
            {
                "Sent": row.sent_at.astimezone(zone).strftime("%d/%m/%Y %H:%M") if row.sent_at else "",
                "To": row.recipient,
                "Email": row.email,
                "Reminder": row.kind.label.capitalize(),
                "Team": row.team or "",
                "Meeting": uk_date(row.meeting_on) if row.meeting_on else "",
                "Action": f"#{row.action_id}" if row.action_id else "",
            }
            for row in rows
        ],
        columns=["Sent", "To", "Email", "Reminder", "Team", "Meeting", "Action"],
    )
    show_grid(frame, hide_index=True)
    if total > len(rows):
        shown = f"The latest {len(rows):,} of {total:,} reminders sent"
    else:
        shown = "The one reminder sent" if total == 1 else f"All {total:,} reminders sent"
    st.caption(f"{shown}, newest first, in {zone.key} time. The messages are not kept.")


def _relay_state() -> None:
    """Whether reminders can go out at all, as the service desk set them up (`fsdash reminders send` from cron)."""
    try:
        settings = mail_settings()
        reminders = reminder_settings()
    except SettingProblem as problem:
        st.info(
            f"This server has no mail settings for reminders: {problem} Reminders are sent by `fsdash reminders "
            "send`, run from cron or a systemd timer where these settings are (see the deployment guide)."
        )
        return
    days = " and ".join(str(d) for d in reminders.rating_days)
    st.caption(
        f"Reminders go through {settings.describe()} from {settings.sender}: ratings {days} day(s) before a "
        f"meeting, actions {reminders.action_days} day(s) before they are due and once overdue, the chair's list "
        f"on the morning of the meeting; none before {reminders.sending_hour:02d}:00."
    )
