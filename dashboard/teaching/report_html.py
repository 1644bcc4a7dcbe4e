"""A one-page scenario report: a standalone HTML file with interactive plotly charts.

plotly.js is embedded inline once (no CDN): workshop rooms are often offline. No Streamlit
here; the domain page offers it as a download beside the link to the view (also while
presenting) and on the Data tab. With a story active, the report carries its question, the
step and the expected finding; every number is compared with the default band.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import plotly.io as pio

from dashboard import charts
from simulations.policy.metrics import horizon_totals
from simulations.reporting.summary import domain_highlights, format_share, score_histogram

STYLE = """
body {font-family: system-ui, sans-serif; max-width: 1100px; margin: 2rem auto; color: #222;
      line-height: 1.45; padding: 0 1rem;}
h1 {margin-bottom: 0.2rem;} .muted {color: #666;}
table {border-collapse: collapse; margin: 1rem 0;} td, th {padding: 0.3rem 0.8rem;
      border-bottom: 1px solid #ddd; text-align: right;} th {text-align: left;}
.grid {display: grid; grid-template-columns: 1fr 1fr; gap: 1rem;}
.grid > div {min-width: 0;}
.story {border-left: 4px solid #4c78a8; padding: 0.2rem 1rem; margin: 1rem 0;}
@media (max-width: 800px) {.grid {grid-template-columns: 1fr;}}
"""


@dataclass(frozen=True)
class ReportStory:
    """The story a report belongs to: what the room was asked, at which step, and what it
    was expected to find."""

    title: str
    story: str
    question: str
    step: str = ""
    finding: str = ""

    def html(self) -> str:
        parts = [f"<h2>{html.escape(self.title)}</h2>", f"<p>{html.escape(self.story)}</p>",
                 f"<p><b>Question.</b> {html.escape(self.question)}</p>"]
        if self.step:
            parts.append(f"<p><b>{html.escape(self.step)}</b></p>")
        if self.finding:
            parts.append(f"<p><b>Expected finding.</b> {html.escape(self.finding)}</p>")
        return f"<div class=\"story\">{''.join(parts)}</div>"



def _delta(kind: str, value: float, reference: float, money) -> str:
    if not (np.isfinite(value) and np.isfinite(reference)):
        return "undefined"
    if value == reference:
        return "same"
    if kind == "share":
        return f"{(value - reference) * 100:+.1f} pp"
    if kind == "money":
        return ("+" if value > reference else "-") + money(abs(value - reference))
    return f"{value - reference:+,.0f}"


def scenario_report_html(result, outcome, title: str, story: ReportStory | str | None = None,
                         baseline=None) -> str:
    """The report of one scenario and policy: summary numbers (against ``baseline``, the
    outcome of the default band, when given) and the main charts."""
    domain, scenario = result.domain, outcome.scenario
    weekly = outcome.weekly
    totals = horizon_totals(weekly)
    base = horizon_totals(baseline.weekly) if baseline is not None else None
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
                                 config={"displaylogo": False,
                                                       "displayModeBar": "hover"}))
    money = (lambda v: f"${v:,.0f}") if domain.unit == "$" else (lambda v: f"{v:,.0f} {domain.unit}")
    rows = [("Precision", format_share(totals["precision"]), "share", "precision"),
            ("Recall", format_share(totals["recall"]), "share", "recall"),
            (f"'{domain.actions['pass']}' rate", format_share(totals["pass_rate"]), "share",
             "pass_rate"),
            ("Review demand per week", f"{totals['review_demand_per_week']:,.0f} "
                                       f"(capacity {scenario.review.capacity:,})", "count",
             "review_demand_per_week"),
            ("Total cost", money(totals["cost_total"]), "money", "cost_total"),
            ("Retrainings", str(len(result.retrain_weeks)), None, None)]
    head = ""
    if base is not None:
        d = domain.policy
        head = (f"<tr><th></th><td>this band</td><td>vs the default band ({d[0]:g}, "
                f"{d[1]:g})</td></tr>")
    body = []
    for label, value, kind, key in rows:
        cells = f"<th>{html.escape(label)}</th><td>{html.escape(value)}</td>"
        if base is not None:
            change = _delta(kind, totals[key], base[key], money) if kind else ""
            cells += f"<td>{html.escape(change)}</td>"
        body.append(f"<tr>{cells}</tr>")
    # the figures this world's team watches, as the page's highlight cards show them
    marks = domain_highlights(domain, totals, outcome)
    before = domain_highlights(domain, base, baseline) if base is not None else marks
    for (label, value, help_text), (_, was, _) in zip(marks, before, strict=True):
        cells = (f'<th title="{html.escape(help_text)}">{html.escape(label)}</th>'
                 f"<td>{html.escape(value)}</td>")
        if base is not None:
            cells += f"<td>{html.escape('' if was == value else f'default band: {was}')}</td>"
        body.append(f'<tr class="highlight">{cells}</tr>')
    table = head + "".join(body)
    if isinstance(story, str):
        story_html = f"<p>{html.escape(story)}</p>" if story else ""
    else:
        story_html = story.html() if story is not None else ""
    words = domain.actions
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="muted">{html.escape(domain.title)} · {scenario.population.weeks} weeks ·
{scenario.population.events_per_week:,} events a week · seed {scenario.seed} ·
band {p.t_low:.3f} ({html.escape(words['pass'])}) to {p.t_high:.3f}
({html.escape(words['flag'])}){_segment_bands_note(p)}</p>
{story_html}
<table>{table}</table>
<div class="grid">{"".join(f"<div>{part}</div>" for part in parts)}</div>
<p class="muted">Made with Tradeoff Lab. Scenario: <code>{html.escape(scenario.to_json())}</code></p>
</body></html>
"""


def _segment_bands_note(policy) -> str:
    """The per-segment bands, if any, for the report's header line."""
    if policy.is_uniform():
        return ""
    parts = ", ".join(f"{html.escape(name)} {lo:.3f} to {hi:.3f}"
                      for name, lo, hi in policy.by_segment)
    return f" · own bands per segment: {parts} (others follow the main band)"
