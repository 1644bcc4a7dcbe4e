"""Your own scores: upload a file of a model's scores and labels (or open the bundled real-data
sample), settle what the file leaves open, and explore it like a domain page."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.controls import BAND_STEP, check_url, slider_thresholds
from dashboard.figures import chart
from dashboard.kpis import kpi_row
from dashboard.tabs.suggest import guardrail_inputs, show_suggestion
from dashboard.tabs.tradeoff import tradeoff_charts
from dashboard.tradeoff_figures import TradeoffBases
from simulations.own_scores.analysis import (
    MAX_CAPACITY,
    MAX_COST,
    MAX_SHARE,
    Analysis,
    Setup,
    describe,
    one_class_warning,
)
from simulations.own_scores.read import (
    MAX_MB,
    HeaderLooksLikeData,
    LabelsNotBinary,
    MissingValues,
    ScoreFileError,
    ScoresOutOfRange,
    guess_columns,
    prepare,
    read_table,
)
from simulations.own_scores.read import label_values as values_of
from simulations.reporting.money import whole_money
from simulations.reporting.safe_csv import neutralise, to_csv_text
from simulations.reporting.summary import format_share
from simulations.reporting.text import plain_markdown

SAMPLE = "data/samples/breast_cancer_scores.csv"
WORDS = {"flag": "flag", "pass": "pass", "review": "review"}
TERMS = SimpleNamespace(actions=WORDS, positive_word="positive", negative_word="negative",
                        unit="units")
NONE = "(none)"
TABS = ("Tradeoff", "Suggest a policy", "Over time", "Segments", "Data")


@st.cache_resource(max_entries=4, ttl=3600, show_spinner="Reading the file…")
def _table(file_id: str, _data: bytes, name: str, header: bool | None = None) -> pd.DataFrame:
    return read_table(_data, name, header=header)


@st.cache_resource(max_entries=4, ttl=3600, show_spinner="Checking the columns…")
def _prepared(file_id: str, _frame: pd.DataFrame, columns: tuple, decisions: tuple):
    return prepare(_frame, dict(columns), **dict(decisions))


@st.cache_resource(max_entries=4, ttl=3600, show_spinner="Sorting the scores…")
def _analysis(file_id: str, columns: tuple, decisions: tuple, setup: Setup,
              _data) -> Analysis:
    return Analysis(_data, setup)


@st.cache_resource(max_entries=16, ttl=3600, show_spinner="Searching for the cheapest band…")
def _suggest(file_id: str, columns: tuple, decisions: tuple, setup: Setup, guardrails,
             _analysis: Analysis):
    return _analysis.suggest(guardrails, thresholds=slider_thresholds())


st.title("Your own scores")
st.caption("Bring a file of your model's scores and the true outcomes: see the same tradeoffs "
           "as the simulated domains, on your data.")

SOURCES = ["Upload a file", "Sample: breast-cancer biopsies (real data)"]
for message in check_url([], "upload", {"upload_source": (tuple(SOURCES), "data source"),
                                         "upload_tab": (TABS, "tab")}):
    st.warning(message, icon=":material/warning:")
source = st.radio("Data", SOURCES, horizontal=True, key="upload_source", bind="query-params")
if source.startswith("Upload"):
    file = st.file_uploader(
        f"CSV (comma, semicolon or tab separated; UTF-8 or Latin-1) or Parquet, up to {MAX_MB} "
        "MB: one row per event, with a score column (the model's probability of the positive "
        "class) and a label column (what really happened).",
        type=["csv", "tsv", "txt", "parquet", "pq"], key="upload_file")
    if file is None:
        st.info("Waiting for a file. No file at hand? Pick the sample above: 569 real "
                "biopsies scored by a model that never saw them.", icon=":material/upload:")
        st.stop()
    file_id, name, raw = file.file_id, file.name, file.getvalue()
else:
    with open(SAMPLE, "rb") as handle:
        raw = handle.read()
    file_id, name = "sample", "breast_cancer_scores.csv"
    st.caption("Out-of-fold scores of a logistic regression on scikit-learn's Wisconsin "
               "breast-cancer data: positive = malignant. Treat it as triage: a missed "
               "malignancy costs far more than a biopsy that was not needed. The file and the "
               "script that makes it are in data/samples/.")

def _read() -> pd.DataFrame:
    """The file as a table; a first row of numbers is asked about, never assumed."""
    try:
        return _table(file_id, raw, name)
    except HeaderLooksLikeData as err:
        st.warning(plain_markdown(err, None), icon=":material/warning:")
        first = st.radio("The first row holds", ["column names", "data (no header row)"],
                         index=None, key=f"upload_{file_id}_header", horizontal=True)
        if first is None:
            st.stop()
        return _table(file_id, raw, name, first == "column names")


try:
    frame = _read()
except ScoreFileError as err:
    st.error(f"This file cannot be read: {plain_markdown(err, None)}", icon=":material/error:")
    st.stop()

guess = guess_columns(frame)
names = list(frame.columns)
st.subheader("Columns")
cols = st.columns(5)
chosen = {}
for col, role, required in zip(cols, ("score", "label", "value", "segment", "time"),
                               (True, True, False, False, False), strict=True):
    options = names if required else [NONE, *names]
    default = guess[role] if guess[role] in options else (None if required else NONE)
    pick = col.selectbox(f"{role.capitalize()}{'' if required else ' (optional)'}", options,
                         index=None if default is None else options.index(default),
                         key=f"upload_{file_id}_{role}", placeholder="choose a column")
    chosen[role] = None if pick in (None, NONE) else pick

if chosen["score"] is None or chosen["label"] is None:
    st.info("Choose the score and the label columns above.", icon=":material/table_chart:")
    st.stop()

# what the file leaves open, asked one question at a time and never assumed
decisions: dict = {}
if chosen["time"] is not None:
    first_unlabelled = st.text_input(
        "Labels not in yet from period (optional)", key=f"upload_{file_id}_unlabelled",
        placeholder="a week number or a date of the time column",
        help="From this period on, labels may be empty: those periods get metrics estimated "
             "from the scores, calibrated on the earlier labelled periods, with 90% "
             "intervals. An empty label in an earlier period is still an error.").strip()
    if first_unlabelled:
        decisions["unlabelled_from"] = first_unlabelled
data = None
for _ in range(4):
    try:
        data = _prepared(file_id, frame, tuple(chosen.items()), tuple(decisions.items()))
        break
    except MissingValues as err:
        st.warning(plain_markdown(err, None), icon=":material/warning:")
        rows = [r - 1 for r in err.rows[:20]]
        st.dataframe(neutralise(frame.iloc[rows].assign(row=err.rows[:20])), hide_index=True)
        if not st.checkbox(f"Drop these {err.total:,} rows", key=f"upload_{file_id}_drop"):
            st.stop()
        decisions["drop_missing"] = True
    except ScoresOutOfRange as err:
        st.warning(plain_markdown(err, None), icon=":material/warning:")
        ways = {"logits: apply a sigmoid": "sigmoid", "ranks: rescale to [0, 1]": "rank"}
        if err.low >= 0 and err.high <= 100:
            ways = {"percentages: divide by 100": "percent", **ways}
        how = st.radio("Read the scores as", list(ways), index=None,
                       key=f"upload_{file_id}_transform")
        if how is None:
            st.stop()
        decisions["transform"] = ways[how]
    except LabelsNotBinary as err:
        st.warning(plain_markdown(err, None), icon=":material/warning:")
        values, counts = values_of(frame[chosen["label"]].dropna())
        st.dataframe(neutralise(pd.DataFrame({"label value": values, "rows": counts})),
                     hide_index=True)
        positive = st.selectbox("Which value is the positive class?", values, index=None,
                                key=f"upload_{file_id}_positive",
                                placeholder="the outcome the model looks for")
        if positive is None:
            st.stop()
        decisions["positive"] = positive
    except ScoreFileError as err:
        st.error(plain_markdown(err, None), icon=":material/error:")
        st.stop()

with st.expander("Costs and review team", expanded=False):
    c = st.columns(4)
    cost_fn = c[0].number_input("Cost of a missed positive", 0.0, MAX_COST, value=10.0, step=1.0,
                                key="upload_cost_fn")
    cost_fp = c[1].number_input("Cost of a false alarm", 0.0, MAX_COST, value=1.0, step=0.5,
                                key="upload_cost_fp")
    cost_review = c[2].number_input("Cost of a review", 0.0, MAX_COST, value=0.5, step=0.1,
                                    key="upload_cost_review")
    share = c[3].number_input("Share of the value lost on a miss", 0.0, MAX_SHARE, value=1.0, step=0.1,
                              key="upload_fn_share", disabled=chosen["value"] is None,
                              help="With a value column, a missed positive also costs this "
                                   "share of its value.")
    c = st.columns(3)
    capacity = c[0].number_input("Reviews per week (empty: unlimited)", 0, int(MAX_CAPACITY),
                                 value=None, step=10,
                                 key="upload_capacity",
                                 help="Per period of the time column, else for the whole file.")
    overflow = c[1].selectbox("Band events beyond the capacity", ["pass", "flag"],
                              key="upload_overflow")
    accuracy = c[2].slider("Reviewer accuracy", 0.5, 1.0, 1.0, 0.01, key="upload_accuracy")
setup = Setup(cost_fn, cost_fp, cost_review, share, capacity, overflow, accuracy)
if data is None:
    st.stop()
analysis = _analysis(file_id, tuple(chosen.items()), tuple(decisions.items()), setup, data)
st.caption(plain_markdown(describe(analysis.data), None))
if (one_class := one_class_warning(analysis.data)) is not None:
    st.warning(one_class, icon=":material/warning:")


@st.fragment
def explorer() -> None:
    """The band slider and everything it changes (a fragment: a drag reruns only this)."""
    band_key = f"upload_{file_id}_band"
    t_low, t_high = st.slider(
        "pass  |  review  |  flag", 0.0, 1.0, (0.5, 0.5), step=BAND_STEP, format="%.3f",
        key=band_key, help="Scores below the left handle pass, scores at or above the right "
                           "handle are flagged, scores in between go to review.")
    totals = analysis.totals(t_low, t_high)
    kpi_row(TERMS, totals, analysis.totals(0.5, 0.5), capacity)
    st.caption("Deltas compare with a single threshold at 0.5. Costs are in your unit. "
               + ("Weekly figures are averages over the time column's periods."
                  if analysis.data.period is not None else
                  "Without a time column the whole file counts as one week."))
    _estimates(t_low, t_high)
    tabs = st.tabs(list(TABS), key="upload_tab", on_change="rerun", bind="query-params")
    open_ = {name: tab for name, tab in zip(TABS, tabs, strict=True) if tab.open}
    if "Tradeoff" in open_:
        with open_["Tradeoff"]:
            bases = TradeoffBases.of(TERMS, analysis.histogram, analysis.curves,
                                     analysis.cost_curve, totals["auc"],
                                     totals["positives"] / totals["events"])
            tradeoff_charts(t_low, t_high, totals, bases, keys="up_")
    if "Suggest a policy" in open_:
        with open_["Suggest a policy"]:
            guardrails = guardrail_inputs("upload", WORDS)
            suggestion = _suggest(file_id, tuple(chosen.items()), tuple(decisions.items()),
                                  setup, guardrails, analysis)
            show_suggestion(suggestion, band_key=band_key, unit="units", words=WORDS,
                            curves=analysis.curves,
                            current=(totals["review_demand_per_week"], totals["cost_total"]),
                            money=whole_money, capacity=capacity)
    if "Over time" in open_:
        with open_["Over time"]:
            if analysis.data.period is None:
                st.info("Choose a time column (week numbers or dates) to see the weekly view "
                        "and how the scores drift after the first period.")
            else:
                weekly = analysis.weekly(t_low, t_high)
                left, right = st.columns(2)
                chart(left, charts.weekly_lines(
                    weekly, {"precision": "precision", "recall": "recall"},
                    "Precision and recall by period", "share", charts.Markers(),
                    y_format=".0%"), key="up_pr_time")
                chart(right, charts.weekly_lines(
                    weekly, {"score_psi": "score PSI vs the first period"},
                    "Drift of the score", "PSI (unitless)", charts.Markers(),
                    hlines={"0.1: watch": 0.1, "0.25: act": 0.25}), key="up_drift")
                st.caption(f"Chance alone gives a PSI of about {analysis.chance_psi:.2f} "
                           "between periods of these sizes: read the drift line against that, "
                           "not only against the 0.1 and 0.25 rules of thumb.")
                pairs = list(zip(weekly["week"], weekly["period_name"], strict=True))
                if any(str(w) != n for w, n in pairs):
                    st.caption("Periods: " + ", ".join(f"{w} = {plain_markdown(n)}"
                                                       for w, n in pairs[:12])
                               + (" …" if len(pairs) > 12 else ""))
    if "Segments" in open_:
        with open_["Segments"]:
            table = analysis.segments(t_low, t_high)
            if table is None:
                st.info("Choose a segment column to compare precision and recall across "
                        "subgroups.")
            else:
                chart(st, charts.segment_bars(table), key="up_segments")
                st.dataframe(neutralise(table), hide_index=True, width="stretch")
                st.caption("Empty cells are undefined (for example, precision when nothing "
                           "in the segment was flagged).")
    if "Data" in open_:
        with open_["Data"]:
            action, reviewed, final = analysis.decisions(t_low, t_high)
            rows = pd.DataFrame({"row": analysis.data.rows, "score": analysis.data.score,
                                 "label": analysis.data.label,
                                 "action": np.array(["pass", "review", "flag"])[action],
                                 "reviewed": reviewed, "final": final})
            st.dataframe(rows.head(500), hide_index=True, width="stretch", height=320)
            c1, c2 = st.columns(2)
            c1.download_button("Per-period metrics (CSV)",
                               data=to_csv_text(analysis.weekly(t_low, t_high)),
                               file_name="scores_by_period.csv", mime="text/csv",
                               on_click="ignore", key="up_dl_weekly")
            c2.download_button("Every row's decision (CSV)", data=lambda: to_csv_text(rows),
                               file_name="scores_decisions.csv", mime="text/csv",
                               on_click="ignore", key="up_dl_rows")


def _estimates(t_low: float, t_high: float) -> None:
    """The periods without labels yet: estimates, never shown as measured metrics."""
    if analysis.unlabelled is None:
        return
    try:
        est = analysis.estimates(t_low, t_high)
    except ValueError as err:
        st.error(str(err), icon=":material/error:")
        return

    def interval(m):
        return [("undefined" if not np.isfinite(v) else
                 f"{format_share(v)} ({format_share(lo)} to {format_share(hi)})")
                for v, lo, hi in zip(est[f"est_{m}"], est[f"est_{m}_low"], est[f"est_{m}_high"],
                                     strict=True)]

    st.subheader("Periods without labels yet: estimates")
    st.dataframe(pd.DataFrame({
        "period": est["period_name"], "rows": est["events"],
        "estimated precision (90% interval)": interval("precision"),
        "estimated recall (90% interval)": interval("recall"),
        "estimated cost (90% interval)": [
            f"{whole_money(v, 'units')} ({whole_money(lo, 'units')} to {whole_money(hi, 'units')})"
            for v, lo, hi in zip(est["est_cost"], est["est_cost_low"], est["est_cost_high"],
                                 strict=True)],
        "estimated review-queue precision": interval("review_precision"),
    }), hide_index=True, width="stretch")
    st.caption("ESTIMATES, not measurements: each score is calibrated on the labelled periods "
               "and its probabilities are summed over what the band flags and passes. They "
               "hold while a score still means what it meant in the labelled periods; if the "
               "relation between features and outcome has changed, no estimate will show it. "
               "The KPIs and tabs count the labelled periods only.")


explorer()
