"""The Data plan tab: one labelling budget spent four ways (more labels, double labels,
uncertainty sampling, cleaning), each scored as the next model's cost over many worlds, behind
a button (it trains dozens of models), with the learning curves, their 90 % ranges and a
sentence naming the cheapest way at the chosen budget."""

from __future__ import annotations

import streamlit as st

from dashboard import ensemble_charts, seam
from dashboard.figures import chart
from simulations.experiments.data_plan import (
    POOL_FACTOR,
    STRATEGIES,
    STRATEGY_WORDS,
    reviews_bought,
    verdict,
)
from simulations.reporting.money import whole_money
from simulations.scenario import ScenarioError

WORLD_CHOICES = (5, 10, 20, 30)
DEFAULT_REVIEWS = 10_000


def draw(domain, scenario) -> None:
    page = domain.name
    unit = domain.unit
    review_cost = scenario.costs.review
    st.subheader("Where should the labelling budget go?")
    st.markdown(
        f"The team's training set is the reference window, each event labelled once by a "
        f"reviewer who is right {scenario.review.reviewer_accuracy:.0%} of the time (the "
        f"sidebar's reviewer accuracy). One review costs {whole_money(review_cost, unit)}. Spend a "
        "budget on **more single labels**, on **double labels** (a third review settles the "
        "cases where two disagree), on **uncertainty sampling** (label what the model is "
        "least sure of) or on **cleaning** (a second look at the training rows confident "
        "learning flags as mislabelled), and see what each does to the next model's cost on "
        "the true labels, which only a simulator knows.")
    probe = seam.plan_spec(scenario, 0.0, STRATEGIES, WORLD_CHOICES[0])
    most = POOL_FACTOR * probe.training_size * (review_cost if review_cost > 0 else 1.0)
    c1, c2, c3 = st.columns([2, 1, 2])
    budget = c1.number_input(
        f"Labelling budget ({unit})", min_value=0.0, max_value=float(most),
        value=float(min(DEFAULT_REVIEWS * review_cost, most)),
        step=float(max(review_cost, 1)) * 100,
        key=f"{page}_plan_budget",
        help="Money for reviews; each review costs the scenario's review cost. The curve "
             "shows five points from 0 to this budget.")
    worlds = c2.select_slider("Worlds", WORLD_CHOICES, value=20, key=f"{page}_plan_worlds")
    chosen = c3.multiselect("Strategies", STRATEGIES, default=list(STRATEGIES),
                            format_func=STRATEGY_WORDS.get, key=f"{page}_plan_strategies")
    if not chosen:
        st.info("Choose at least one strategy to plan.")
        return
    try:
        plan = seam.plan_spec(scenario, budget, tuple(chosen), worlds)
    except ScenarioError as err:
        st.error(f"This plan cannot be run: {err}")
        return
    st.caption(f"{whole_money(budget, unit)} buys {reviews_bought(budget, review_cost):,} reviews. "
               f"Each world has {plan.training_size:,} training labels, an unlabelled pool of "
               f"{POOL_FACTOR * plan.training_size:,} events and four weeks of production "
               f"traffic at {plan.scenario.population.events_per_week:,} events a week "
               "(fewer than the run, to keep the plan quick).")
    tables = seam.peek_plan(plan)
    if st.button("Plan the budget", key=f"{page}_plan_go", icon=":material/science:",
                 type="primary" if tables is None else "secondary",
                 help="Trains a model for every strategy and budget point in every world: "
                      "a minute or so."):
        tables = seam.data_plan(plan)
    if tables is None:
        st.caption(f"Press the button to train {1 + len(chosen) * (plan.steps - 1)} or so "
                   f"models in each of {worlds} worlds.")
        return
    summary, _ = tables
    st.markdown(verdict(summary, budget, unit))
    chart(st, ensemble_charts.learning_curves(summary, unit, worlds, STRATEGY_WORDS),
          key=f"{page}_plan_chart")
    st.caption(f"Lines: the median over {worlds} worlds; shading: the 5th-95th percentile. "
               "Every strategy starts from the same baseline model at a zero budget. The band "
               f"stays at {scenario.policy.t_low:g}-{scenario.policy.t_high:g}: a model trained "
               "on cleaner labels scores differently, so a band set for the old scores may no "
               "longer fit it (the Suggest tab finds the new one).")
    shown = summary.assign(strategy=summary["strategy"].map(STRATEGY_WORDS))
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "budget": st.column_config.NumberColumn(f"budget ({unit})", format="%.0f"),
        "labels": st.column_config.NumberColumn("reviews bought", format="%d"),
        "label_error": st.column_config.NumberColumn("wrong training labels", format="percent"),
        "auc": st.column_config.NumberColumn("AUC", format="%.3f"),
        "cost_total": st.column_config.NumberColumn(f"cost a week ({unit})", format="%.0f"),
        "cost_low": st.column_config.NumberColumn("5th percentile", format="%.0f"),
        "cost_high": st.column_config.NumberColumn("95th percentile", format="%.0f")})
