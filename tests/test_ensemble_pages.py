"""Ensembles on the pages (AppTest): the Over time tab's range switch, the Compare page's
verdict over many worlds, and the Suggest tab's robust band with its tornado."""

from __future__ import annotations

import json

import pytest

from dashboard import seam
from tests.test_pages import app, small_params


@pytest.fixture(autouse=True)
def one_worker(monkeypatch):
    monkeypatch.setattr(seam, "ENSEMBLE_WORKERS", 1)  # no process pool to start in a test


def _figures(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def test_over_time_shows_the_range_over_worlds_behind_the_single_run():
    at = app("fraud", **small_params("fraud", fraud_tab="Over time", fraud_weeks="4"))
    assert not at.exception
    before = _figures(at)
    at.toggle(key="fraud_ranges").set_value(True)
    at.select_slider(key="fraud_range_n").set_value(10)
    at.run()
    assert not at.exception
    assert any("over 10 worlds" in c.value for c in at.caption)
    after = _figures(at)
    pr = next(f for f in after if "Precision and recall" in f["layout"]["title"]["text"])
    names = [t.get("name", "") for t in pr["data"]]
    assert names[0] == "precision: 90% of 10 worlds" and "precision" in names  # behind the line
    single = next(f for f in before if "Precision and recall" in f["layout"]["title"]["text"])
    assert len(pr["data"]) == len(single["data"]) + 2


def test_compare_page_gives_a_verdict_over_many_worlds():
    at = app("compare", compare_weeks="4")
    assert not at.exception
    at.toggle(key="compare_worlds_on").set_value(True)
    at.select_slider(key="compare_worlds_n").set_value(10)
    at.run()
    assert not at.exception
    verdicts = [m.value for m in [*at.success, *at.info]]
    assert any("of 10 worlds" in v for v in verdicts), verdicts
    assert any(m.label == "Total cost, B - A" and "(" in m.value for m in at.metric)


def test_suggest_tab_finds_a_robust_band_and_applies_it():
    at = app("fraud", **small_params("fraud", fraud_tab="Suggest a policy", fraud_weeks="4"))
    assert not at.exception
    at.select_slider(key="fraud_robust_n").set_value(10)
    at.button(key="fraud_robust_go").click().run()
    assert not at.exception
    labels = {m.label: m.value for m in at.metric}
    assert "Robust band" in labels and "Regret of the one-world suggestion" in labels
    assert any(f["layout"]["title"]["text"].startswith("What matters most")
               for f in _figures(at))
    band = tuple(float(x) for x in labels["Robust band"].split(" – "))
    at.button(key="fraud_robust_apply").click().run()
    assert not at.exception
    assert tuple(at.slider(key="fraud_band").value) == pytest.approx(band)


def test_the_store_runs_one_ensemble_at_a_time_shares_results_and_says_when_queued(monkeypatch):
    import threading
    import time

    from simulations import default_scenario
    from simulations.experiments import Ensemble

    running, most, calls = [0], [0], []
    lock = threading.Lock()

    class Done(str):
        def warm(self, thresholds):  # what the store asks of a finished ensemble
            pass

    def fake_run(spec, **kwargs):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            calls.append(spec.worlds)
        time.sleep(0.3)
        with lock:
            running[0] -= 1
        return Done(f"result of {spec.worlds}")

    monkeypatch.setattr(seam, "run_ensemble", fake_run)
    store = seam._EnsembleStore(slots=1)
    base = default_scenario("fraud")
    specs = [Ensemble(base, 2), Ensemble(base, 3), Ensemble(base, 3)]
    messages, results = [], [None] * 3

    def ask(i):
        results[i] = store.get(specs[i], (), None, messages.append)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join()
    assert most[0] == 1  # never two at once
    assert sorted(calls) == [2, 3]  # the same ensemble asked twice ran once
    assert results == ["result of 2", "result of 3", "result of 3"]
    assert any(m.startswith("Queued") for m in messages)
    assert any("same ensemble" in m for m in messages)
    assert store.get(specs[1], (), None, messages.append) == "result of 3"  # from the store
