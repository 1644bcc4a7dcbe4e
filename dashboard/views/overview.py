"""Landing page: what the app is for, one card per domain and one per workflow."""

import streamlit as st

from dashboard import seam
from dashboard.teaching.workshop import show_preset_problems
from simulations.domains import DOMAINS

st.title("Tradeoff Lab")
st.markdown(
    "Shipping a model means choosing what to do with its uncertain scores. "
    "This lab simulates a real scikit-learn model on synthetic traffic, week by week, so you "
    "can move the decision thresholds and see precision, recall, approvals, money and "
    "reviewer load respond. Then let the world drift, decide when to retrain, and watch which "
    "labels your own decisions hide from you."
)
cols = st.columns(len(DOMAINS))
for col, domain in zip(cols, DOMAINS.values(), strict=True):
    with col.container(border=True):
        st.subheader(domain.title)
        st.markdown(f"**{domain.question}**")
        words = domain.actions
        st.caption(f"Each event is {words['pass']}, {words['flag']} or sent to "
                   f"{words['review']} ({domain.reviewers}).")
        st.page_link(f"views/{domain.name}.py", label=f"Open {domain.title.lower()}",
                     icon=":material/arrow_forward:")
left, middle, right = st.columns(3)
with left.container(border=True):
    st.subheader("Compare two policies")
    st.markdown("Run policies A and B on identical traffic and read the paired weekly "
                "differences in cost, approvals, recall and review load.")
    st.page_link("views/compare.py", label="Open the comparison", icon=":material/arrow_forward:")
with middle.container(border=True):
    st.subheader("Rehearse a case study")
    st.markdown("Commit to success metrics, guardrails and a decision before you see anything, "
                "then compare with the simulation and score yourself.")
    st.page_link("views/rehearsal.py", label="Start a case", icon=":material/arrow_forward:")
with right.container(border=True):
    st.subheader("Your own scores")
    st.markdown("Upload your model's scores and labels (or try real biopsy data) and find the "
                "cheapest band within your team's guardrails.")
    st.page_link("views/upload.py", label="Bring your scores", icon=":material/arrow_forward:")
st.subheader("Stories to explore")
st.caption("Each opens on its domain page at step 1, with Previous / Next (or the arrow keys) "
           "to walk a room through it.")
show_preset_problems()
for preset in seam.presets():
    with st.container(border=True):
        st.page_link(f"views/{preset.domain}.py", label=f"**{preset.title}**",
                     icon=":material/play_circle:",
                     query_params={f"{preset.domain}_story": preset.name,
                                   f"{preset.domain}_step": "1"})
        st.caption(f"{DOMAINS[preset.domain].title}: {preset.question}")
st.caption("Every control is mirrored in the page address: copy the link to share the exact "
           "view. Hover the question-mark icon next to any number for what it means and why it matters.")
