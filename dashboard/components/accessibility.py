"""The one stylesheet the app adds to every page for WCAG 2.2 AA, where Streamlit's theme cannot reach.

It is a constant with no user data in it (like the Meeting page's PRESENTATION_CSS), so rendering it as HTML cannot
carry anyone's words into the page. Each rule answers a finding of the browser suite (tests/browser/
test_accessibility.py), and docs/accessibility.md says what it fixes:

- Visible focus (2.4.7, 1.4.11): Streamlit's focus ring is a faint shadow (about 2.2:1 on buttons) and radios,
  checkboxes, switches and sidebar links get only a tint (about 1.1:1); their input is hidden, so the outline goes
  on its label. Every focused control gets a 3 px outline
  in near-black (#0b0c0c, 19:1 on white, 4:1 on the primary blue) outside a white gap, so it shows on any fill.
  Text boxes take it inside their edge (the box around them would cut it off), a select box around its frame.
- Target size (2.5.8): the day and month parts of a date box, and the hour and minute of a time box, are
  18 × 20 px; they are given 24 × 24 px.
- Scrolling by keyboard (2.1.1): a wide `st.table` scrolls inside a box nobody can focus (in presentation mode on
  a projector, for instance); it is let out to the page, whose scroll a keyboard reaches.
"""

from __future__ import annotations

import streamlit as st

FOCUS_INK = "#0b0c0c"

ACCESSIBILITY_CSS = f"""<style>
:focus-visible,
[data-testid="stSkipToContent"]:focus,
label:has(input[type="radio"]:focus-visible),
label:has(input[type="checkbox"]:focus-visible),
[data-testid="stExpander"] summary:focus-visible {{
  outline: 3px solid {FOCUS_INK} !important;
  outline-offset: 2px !important;
  box-shadow: 0 0 0 2px #ffffff !important;
}}
textarea:focus-visible, input:not([type="radio"], [type="checkbox"]):focus-visible {{
  outline-offset: -3px !important; box-shadow: none !important;
}}
[data-baseweb="select"] > div:has(input:focus-visible) {{
  outline: 3px solid {FOCUS_INK}; outline-offset: 2px;
}}
[data-testid="stDateInput"] [role="spinbutton"],
[data-testid="stTimeInput"] [role="spinbutton"] {{
  display: inline-block; min-width: 24px; min-height: 24px; line-height: 24px; text-align: center;
}}
[data-testid="stTable"], [data-testid="stTable"] > div {{ overflow: visible !important; }}
</style>"""


def add_accessibility_styles() -> None:
    """Put ACCESSIBILITY_CSS on the page (every run, before the page draws)."""
    st.html(ACCESSIBILITY_CSS)  # a constant: see the module docstring
