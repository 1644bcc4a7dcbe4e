"""The review queue on the page: the sidebar offers it with people and promises, and the Over
time tab's review chart shows backlog, expiries and the share within target against capacity."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from dashboard import charts
from tests.test_pages import app, small_params


def test_the_sidebar_offers_the_queue_and_over_time_shows_it():
    at = app("fraud", **small_params("fraud", fraud_overflow="wait for the next day", fraud_analysts="1",
                                     fraud_max_wait_hours="48", fraud_tab="Over time"))
    assert not at.exception and not at.warning
    assert at.number_input(key="fraud_analysts").value == 1
    assert not any(n.key == "fraud_capacity" for n in at.number_input)  # people, not a number
    captions = " ".join(c.value for c in at.caption)
    # one analyst: floor(1 x 8 h x 4 an hour x 70%) = 22 a day, 110 a week
    assert "110 a week" in captions and "oldest first" in captions.lower()
    assert "Erlang C" in captions
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if "Review queue" in json.loads(c.proto.spec)["layout"]["title"]["text"])
    names = [d["name"] for d in spec["data"]]
    assert "backlog at week's end" in names and "expired (waited too long)" in names
    assert any(n.startswith("share decided within 24 h") for n in names)
    assert any(s["y0"] == 110 for s in spec["layout"].get("shapes", []) if s.get("y0"))


def test_without_a_queue_the_old_review_chart_stays():
    at = app("fraud", **small_params("fraud", fraud_tab="Over time"))
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"]
              for c in at.get("plotly_chart")]
    assert "Review demand against capacity" in titles
    assert not any("Review queue" in t for t in titles)


def test_queue_chart_draws_undefined_share_as_a_gap():
    weekly = pd.DataFrame({"week": [1, 2], "reviewed": [0, 5], "overtime_reviews": [0, 1],
                           "review_expired": [3, 0], "review_abandoned": [1, 0],
                           "backlog": [4, 2], "within_target": [np.nan, 0.6]})
    fig = charts.review_queue(weekly, 10, 0.5, {"review": "review"}, charts.Markers((), ()))
    share = next(d for d in fig.data if d.name.startswith("share decided within 30 min"))
    assert np.isnan(share.y[0]) and share.y[1] == 0.6
    done = next(d for d in fig.data if d.name == "review: done")
    assert list(done.y) == [0, 4]  # overtime drawn apart


def test_over_time_shows_agreement_in_landis_and_kochs_words_beside_true_accuracy():
    at = app("triage", **small_params("triage", triage_double_share="0.5",
                                      triage_tab="Over time"))
    assert not at.exception and not at.warning
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"]
              for c in at.get("plotly_chart")]
    assert "Reviewers: agreement and true accuracy" in titles
    text = " ".join(c.value for c in at.caption)
    assert "Landis and Koch" in text and "only a simulator knows" in text
    assert any(w in text for w in ("slight", "fair", "moderate", "substantial",
                                   "almost perfect"))
    assert "balanced set" in text  # the rare-class paradox, said


def test_suggest_says_what_one_more_analyst_buys_in_waiting_and_money():
    at = app("fraud", **small_params("fraud", fraud_overflow="wait for the next day",
                                     fraud_analysts="1", fraud_tab="Suggest a policy"))
    assert not at.exception
    text = " ".join(c.value for c in at.caption)
    assert "One more fraud analyst (+110 reviews a week) buys: backlog" in text
    assert "decided within 24 h" in text and "over the run it" in text
