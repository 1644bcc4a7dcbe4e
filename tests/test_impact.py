"""Delayed impact: the decisions of a week change which segments arrive in the weeks after it.

The reference is a week-by-week loop written here: each segment's size from the week's final
decisions and labels, the next week's quotas by largest remainders from the natural traffic
(which a run without impact draws identically), compared with what the run sent.
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from simulations import run
from simulations.domains import get_domain
from simulations.scenario import Impact, Scenario, ScenarioError, default_scenario
from tests.conftest import small
from tests.test_audit import BEFORE, RETRAIN

HARSH = {"cross_border": [0.02, 0.05]}  # nearly every cross-border payment declined


def impact_on(scenario: Scenario, **impact) -> Scenario:
    return scenario.with_changes(impact={"enabled": True, **impact})


def digest(frame) -> str:
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:16]


@pytest.mark.parametrize("domain", ["fraud", "recommendation"])
def test_impact_switched_off_leaves_runs_byte_identical(domain):
    s = default_scenario(domain).with_changes(
        population={"weeks": 6, "events_per_week": 3000}, retrain=RETRAIN,
        feedback={"mode": "selective"})
    assert "impact" not in s.to_dict()
    # a section that is written but off (a response and a recovery set) changes nothing
    off = s.with_changes(impact={"enabled": False, "response": 0.9, "recovery": 0.5})
    assert off.to_dict()["impact"] == {"enabled": False, "response": 0.9, "recovery": 0.5}
    assert Scenario.from_json(off.to_json()) == off
    r = run(off)
    assert (digest(r.weekly), digest(r.events)) == BEFORE[domain]  # digests taken before impact
    assert not any(c.startswith(("traffic_share_", "natural_share_")) for c in r.weekly)


def _codes(events, domain):
    seg = events["segment"].astype(str).to_numpy()
    return np.array([domain.segments.index(s) for s in seg])


def reference_counts(on, off, response, recovery):
    """Per week, the events per segment the impact should send, written as a plain loop."""
    domain = get_domain(on.scenario.domain)
    spec, k = domain.impact, len(domain.segments)
    flag_word = "flag" if spec.action == "flag" else "pass"
    on_ev, off_ev = on.events, off.events
    on_seg, off_seg = _codes(on_ev, domain), _codes(off_ev, domain)
    size = [1.0] * k
    expected = []
    for w in range(1, on.scenario.population.weeks + 1):
        natural = [int(((off_ev["week"] == w).to_numpy() & (off_seg == s)).sum())
                   for s in range(k)]
        n = sum(natural)
        weights = [natural[s] * size[s] for s in range(k)]
        total = sum(weights)
        exact = [n * weights[s] / total for s in range(k)]
        counts = [math.floor(e) for e in exact]
        left = n - sum(counts)
        order = sorted(range(k), key=lambda s: (-(exact[s] - counts[s]), s))
        for s in order[:left]:
            counts[s] += 1
        expected.append((natural, counts))
        week = (on_ev["week"] == w).to_numpy()
        for s in range(k):
            mine = week & (on_seg == s)
            events = int(mine.sum())
            harmed = int((mine & (on_ev["final"].astype(str).to_numpy() == flag_word)
                          & (on_ev["label"].to_numpy() == spec.label)).sum())
            lost = response * harmed / events if events else 0.0
            size[s] = size[s] * (1 - lost) + recovery * (1 - size[s])
    return expected


@pytest.mark.parametrize("domain,by_segment", [("fraud", HARSH),
                                               ("recommendation", {"new_cohort": [0.9, 0.95]})])
def test_a_weekly_loop_reproduces_the_segment_shares_from_the_decisions(domain, by_segment):
    base = small(domain, weeks=8, events=3000)
    base = base.with_policy(base.policy.t_low, base.policy.t_high, by_segment)
    response, recovery = 0.6, 0.1
    on = run(impact_on(base, response=response, recovery=recovery))
    off = run(base)
    expected = reference_counts(on, off, response, recovery)
    segments = get_domain(domain).segments
    got = _codes(on.events, get_domain(domain))
    weekly = on.weekly.set_index("week")
    moved = False
    for w, (natural, counts) in enumerate(expected, start=1):
        week = (on.events["week"] == w).to_numpy()
        assert [int((week & (got == s)).sum()) for s in range(len(segments))] == counts, w
        n = sum(natural)
        for s, name in enumerate(segments):
            assert weekly.loc[w, f"traffic_share_{name}"] == pytest.approx(counts[s] / n)
            assert weekly.loc[w, f"natural_share_{name}"] == pytest.approx(natural[s] / n)
        moved |= counts != natural
    assert moved  # the harsh band did move the mix (otherwise the loop proves nothing)
    assert len(on.events) == len(off.events)  # every week keeps its number of events


def test_week_one_is_the_natural_traffic_and_other_draws_are_kept():
    base = small("fraud", weeks=3, events=3000)
    on, off = run(impact_on(base)), run(base)
    first_on = on.events[on.events["week"] == 1].reset_index(drop=True)
    first_off = off.events[off.events["week"] == 1].reset_index(drop=True)
    assert first_on.equals(first_off)  # nothing has happened yet to move anyone


def test_a_harsher_band_on_a_segment_lowers_its_future_share():
    base = small("fraud", weeks=10, events=3000)
    mild = run(impact_on(base))
    harsh = run(impact_on(base.with_policy(base.policy.t_low, base.policy.t_high, HARSH)))
    late = slice(6, 10)
    share = lambda r: r.weekly.set_index("week").loc[late, "traffic_share_cross_border"].mean()  # noqa: E731
    natural = harsh.weekly.set_index("week").loc[late, "natural_share_cross_border"].mean()
    assert share(harsh) < share(mild) <= natural + 0.01
    assert share(harsh) < 0.8 * natural
    # and the shares fall week after week while the harsh band keeps declining them
    weekly = harsh.weekly["traffic_share_cross_border"] / harsh.weekly[
        "natural_share_cross_border"]
    assert (np.diff(weekly.to_numpy()) < 0.02).all() and weekly.iloc[-1] < weekly.iloc[1]


def test_a_stronger_response_and_no_recovery_shrink_more():
    base = small("fraud", weeks=8, events=3000)
    base = base.with_policy(base.policy.t_low, base.policy.t_high, HARSH)
    end = lambda s: run(s).weekly["traffic_share_cross_border"].iloc[-1]  # noqa: E731
    weak, strong = end(impact_on(base, response=0.1)), end(impact_on(base, response=0.8))
    healed = end(impact_on(base, response=0.8, recovery=0.5))
    assert strong < weak and strong < healed


def test_a_band_move_re_simulates_when_impact_is_on():
    s = impact_on(small("fraud", weeks=3, events=2000))
    assert s.policy_changes_labels and not small("fraud").policy_changes_labels
    assert "delayed impact" in s.why_bands_rerun
    result = run(s)
    with pytest.raises(ValueError, match="change who arrives"):
        result.at_policy(0.1, 0.5)


@pytest.mark.parametrize("impact,message", [
    ({"enabled": True}, "impact.enabled = True is invalid: the triage world declares no "
                        "delayed impact"),
    ({"enabled": "yes"}, "impact.enabled = 'yes' is invalid: must be true or false"),
    ({"response": 1.0}, r"impact.response = 1.0 is invalid: allowed range is \[0, 1\)"),
    ({"response": -0.1}, "impact.response = -0.1 is invalid"),
    ({"recovery": 2}, "impact.recovery = 2 is invalid"),
    ({"enabled": True, "shares": 1}, "unknown key 'shares' in impact"),
])
def test_bad_impact_fields_are_refused_in_one_line(impact, message):
    domain = "triage" if impact == {"enabled": True} else "fraud"
    with pytest.raises(ScenarioError, match=f"^{message}") as err:
        Scenario.from_dict({"domain": domain, "impact": impact})
    assert "\n" not in str(err.value)


def test_impact_with_a_review_queue_is_refused():
    with pytest.raises(ScenarioError, match="impact cannot be combined with review.overflow"):
        Scenario.from_dict({"domain": "fraud", "impact": {"enabled": True},
                            "review": {"overflow_action": "queue"}})


def test_cli_bad_impact_exits_2_with_one_line(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"domain": "assistant", "impact": {"enabled": True}}))
    out = subprocess.run([sys.executable, "-m", "simulations", "run", "--scenario", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "declares no delayed impact" in lines[0]


def test_cli_run_writes_the_share_columns(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"domain": "fraud", "population": {"weeks": 3,
                                "events_per_week": 1000}, "impact": {"enabled": True}}))
    out = subprocess.run([sys.executable, "-m", "simulations", "run", "--scenario", str(path),
                          "--out", str(tmp_path / "w.csv")], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    header = (tmp_path / "w.csv").read_text().splitlines()[0].split(",")
    assert {"traffic_share_cross_border", "natural_share_online"} <= set(header)


def test_a_subset_of_a_batch_recomputes_its_orders():
    domain = get_domain("recommendation")
    rng = np.random.default_rng(3)
    world = domain.make_world(rng)
    from simulations.domains import DriftState

    batch = domain.generate(500, 0.12, DriftState(), world, rng)
    keep = np.flatnonzero(rng.random(500) < 0.4)
    kept = batch.take(keep)
    log_pop = batch.numeric[keep, 2]
    # the popularity baseline's ranking of the kept impressions, most popular first, ties in
    # the order they were drawn (a loop over the pairs would say the same)
    order = sorted(range(len(keep)), key=lambda i: (-log_pop[i], i))
    assert kept.extra["popularity_order"].tolist() == order
    np.testing.assert_array_equal(kept.extra["item"], batch.extra["item"][keep])
    assert list(kept.extra) == list(batch.extra)


def test_the_domain_default_response_is_stated_and_overridable():
    s = default_scenario("fraud")
    assert s.impact == Impact() and s.impact_response == get_domain("fraud").impact.response
    assert replace(s, impact=Impact(True, 0.5)).impact_response == 0.5
    assert "illustrative" in get_domain("fraud").impact.source
    assert get_domain("triage").impact is None and get_domain("assistant").impact is None
