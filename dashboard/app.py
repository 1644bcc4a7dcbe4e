"""Entry point: ``streamlit run dashboard/app.py``. Sets the page up and routes to the views."""

from __future__ import annotations

import gc
from pathlib import Path

import streamlit as st

import simulations  # noqa: F401  (heavy imports first, so the frozen heap holds them)
from dashboard.narrow_screen import narrow_screen_layout
from simulations.domains import DOMAINS

# An emoji icon: Streamlit draws it as an inline SVG. A :material/...: page icon makes every
# page fetch an SVG from fonts.gstatic.com, which an offline workshop room cannot reach.
st.set_page_config(page_title="Tradeoff Lab", page_icon="⚖️", layout="wide")


@st.cache_resource
def _freeze_import_heap() -> bool:
    """Move everything imported so far out of the garbage collector's sight, once per server.

    Walking the import-time heap (numpy, pandas, scikit-learn, plotly) would otherwise
    dominate every collection; .streamlit/config.toml also turns off Streamlit's extra full
    collection after each run (see the note there).
    """
    gc.collect()
    gc.freeze()
    return True


_freeze_import_heap()

VIEWS = Path(__file__).parent / "views"
pages = {
    "": [st.Page(VIEWS / "overview.py", title="Overview", icon=":material/explore:", default=True)],
    # one page per world, views/<name>.py, in the order simulations.domains lists them
    "Explore a domain": [
        st.Page(VIEWS / f"{d.name}.py", title=d.name.capitalize(), icon=d.icon, url_path=d.name)
        for d in DOMAINS.values()
    ],
    "Your data": [
        st.Page(VIEWS / "upload.py", title="Your own scores", icon=":material/upload_file:",
                url_path="upload"),
    ],
    "Decide and practise": [
        st.Page(VIEWS / "compare.py", title="Compare policies", icon=":material/compare_arrows:",
                url_path="compare"),
        st.Page(VIEWS / "rehearsal.py", title="Rehearse a case", icon=":material/school:",
                url_path="rehearsal"),
    ],
}
narrow_screen_layout()
st.navigation(pages).run()
