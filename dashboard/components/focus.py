"""Keeping the keyboard where the work was done (WCAG 2.4.3 focus order).

Saving a family's ratings or recording an action reruns the part of the page that holds the form, and Streamlit
draws it anew: the focus falls back to the page itself, so a keyboard or screen-reader user is thrown to the top
and must Tab down again past everything. After such a save the focus goes back to the form: its button, or the
heading of its box if saving folded the box away.

The script is a constant apart from the element's key, which is checked to be one of the app's own (letters,
digits and dashes): no name or free text ever reaches it.
"""

from __future__ import annotations

import json
import re

import streamlit as st

_KEY = re.compile(r"[A-Za-z0-9-]+")
_RUNS = "focus-return-runs"
_PENDING = "focus-return-after-rerun"

_SCRIPT = """<script>
(() => {{
  const wanted = {selector};
  // the form's own button while it is shown; the box's heading once a saved family's box has folded itself away
  const PLACES = ['[data-testid="stFormSubmitButton"] button', 'summary'];
  const started = performance.now();
  let settled = null;
  const keep = () => {{
    // Streamlit keeps the form's button disabled until its run ends, then redraws the form, which drops the
    // focus onto the page. Until a second after the run has ended, whenever the focus is found on the page (or
    // on a box around the form) and the form can take it, it goes back. Once the person has moved the focus
    // anywhere else, it is theirs.
    const box = document.querySelector(wanted);
    const target = box && PLACES.map(p => box.querySelector(p)).find(e => e && e.checkVisibility());
    const here = document.activeElement;
    const lost = !here || here === document.body || (target && here !== target && here.contains(target));
    if (target && lost && !target.disabled) target.focus({{preventScroll: true}});
    const running = document.querySelector('[data-testid="stApp"][data-test-script-state="running"]');
    const now = performance.now();
    settled = running ? null : (settled ?? now);
    if (now - started < 60000 && (settled === null || now - settled < 1000)) requestAnimationFrame(keep);
  }};
  keep();
}})();
</script><span hidden data-run="{run}"></span>"""


def return_focus_to(key: str) -> None:
    """Give the focus back to the form in the container drawn with `key`, once this run has drawn it: its submit
    button, or the heading of the box it folded into."""
    if not _KEY.fullmatch(key):
        raise ValueError(f"not one of the app's element keys: {key!r}")
    run = st.session_state.get(_RUNS, 0) + 1  # a new element each time, so the script runs after every save
    st.session_state[_RUNS] = run
    selector = json.dumps(f".st-key-{key}")
    st.html(_SCRIPT.format(selector=selector, run=run), unsafe_allow_javascript=True)


def return_focus_after_rerun(key: str) -> None:
    """For a form whose success reruns the whole page: the next run gives the focus back to it
    (see `focus_if_returning`)."""
    st.session_state[_PENDING] = key


def focus_if_returning(key: str) -> None:
    """Draw the focus script for the container `key` if the run before asked for it."""
    if st.session_state.get(_PENDING) == key:
        del st.session_state[_PENDING]
        return_focus_to(key)
