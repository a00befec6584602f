"""Streamlit's own command line (`python -m dashboard.streamlit_main run dashboard/app.py …`), told first that the
app builds its pages with st.navigation.

Streamlit decides once per process, at its first session, whether an app with a `pages/` folder beside its script
is an old-style multipage app; until some session has called st.navigation it runs a page's file straight from
that folder. So the first visit to a fresh server through a link such as /rate?team=3 (a reminder email) ran
pages/rate.py on its own, without the sign-in screen or the app's navigation. Saying so before the server starts
closes that gap for every visit.
"""

from __future__ import annotations

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web.cli import main

if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    main(prog_name="streamlit")
