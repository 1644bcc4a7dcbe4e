"""A one-page scenario report: a standalone HTML file with interactive plotly charts.

plotly.js is embedded inline once (no CDN): workshop rooms are often offline. No Streamlit
here; the Data tab offers the result as a download next to the weekly CSV.
"""

from __future__ import annotations

import html

import plotly.io as pio

from dashboard import charts
from simulations.policy.metrics import horizon_totals
from simulations.reporting.summary import format_share, score_histogram

STYLE = """
body {font-family: system-ui, sans-serif; max-width: 1100px; margin: 2rem auto; color: #222;
      line-height: 1.45; padding: 0 1rem;}
h1 {margin-bottom: 0.2rem;} .muted {color: #666;}
table {border-collapse: collapse; margin: 1rem 0;} td, th {padding: 0.3rem 0.8rem;
      border-bottom: 1px solid #ddd; text-align: right;} th {text-align: left;}
.grid {display: grid; grid-template-columns: 1fr 1fr; gap: 1rem;}
"""



def scenario_report_html(result, outcome, title: str, story: str = "") -> str:
    """The report of one scenario and policy: summary numbers and the main charts."""
    domain, scenario = result.domain, outcome.scenario
    weekly = outcome.weekly
    totals = horizon_totals(weekly)
    onsets = tuple(sorted({d.onset_week for d in scenario.drift}))
    markers = charts.Markers(onsets, tuple(result.retrain_weeks))
    p = scenario.policy
    hist = score_histogram(result)
    figures = [
        charts.score_distribution(hist, p.t_low, p.t_high, domain.actions, domain.positive_word,
                                  domain.negative_word, bool(hist["lower"].iloc[1] < 0.001)),
        charts.weekly_lines(weekly, {"precision": "precision", "recall": "recall"},
                            "Precision and recall by week", "share", markers, y_format=".0%"),
        charts.review_load(weekly, scenario.review.capacity, domain.actions, markers),
        charts.weekly_costs(weekly, domain.unit, markers),
        charts.weekly_lines(weekly, {"score_psi": "score PSI", "feature_psi_max":
                                     "largest feature PSI"}, "Drift against the training weeks",
                            "divergence", markers, hlines={"PSI 0.25": 0.25}),
        charts.weekly_lines(weekly, {"auc": "ROC AUC"}, "Model quality by week", "AUC",
                            markers),
    ]
    parts = []
    for i, fig in enumerate(figures):
        parts.append(pio.to_html(fig, full_html=False, include_plotlyjs=(i == 0),
                                 config={"displaylogo": False}))
    money = (lambda v: f"${v:,.0f}") if domain.unit == "$" else (lambda v: f"{v:,.0f} {domain.unit}")
    rows = [("Precision", format_share(totals["precision"])), ("Recall", format_share(totals["recall"])),
            (f"'{domain.actions['pass']}' rate", format_share(totals["pass_rate"])),
            ("Review demand per week", f"{totals['review_demand_per_week']:,.0f} "
                                       f"(capacity {scenario.review.capacity:,})"),
            ("Total cost", money(totals["cost_total"])),
            ("Retrainings", str(len(result.retrain_weeks)))]
    table = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                    for k, v in rows)
    words = domain.actions
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="muted">{html.escape(domain.title)} · {scenario.population.weeks} weeks ·
{scenario.population.events_per_week:,} events a week · seed {scenario.seed} ·
band {p.t_low:.3f} ({html.escape(words['pass'])}) to {p.t_high:.3f}
({html.escape(words['flag'])})</p>
{f"<p>{html.escape(story)}</p>" if story else ""}
<table>{table}</table>
<div class="grid">{"".join(f"<div>{part}</div>" for part in parts)}</div>
<p class="muted">Made with Tradeoff Lab. Scenario: <code>{html.escape(scenario.to_json())}</code></p>
</body></html>
"""
