"""``python -m simulations analyze``: the metrics of your own scores at a band, and the cheapest
policy within guardrails.

A bad file or a bad option exits with status 2 and one line on stderr saying what to fix
(``--positive``, ``--score-transform`` and ``--drop-missing`` resolve the decisions the file
leaves open). ``--out`` writes one row per period (the whole file without a time column).
``--unlabelled-from PERIOD`` marks the periods from PERIOD on as not labelled yet: they are
left out of the measured metrics and get estimates instead (``labels`` column of ``--out``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..own_scores.analysis import Analysis, Setup, describe
from ..own_scores.read import (
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
from ..policy.fairness import DEFAULT_TOLERANCE, STRATEGIES, FairnessProblem
from ..policy.guardrails import Guardrails
from ..reporting.safe_csv import write_csv
from ..reporting.summary import format_share
from ..reporting.text import clip
from .common import UsageError, check_writable


def _number(text: str) -> float:
    from .common import number

    return number(text)


def _whole(text: str) -> int:
    from .common import whole

    return whole(text)


def add_parser(sub) -> None:
    a = sub.add_parser("analyze", help="metrics of your own model's scores and the cheapest "
                                       "policy within guardrails")
    a.add_argument("--input", required=True,
                   help=f"CSV (comma, semicolon or tab; UTF-8 or Latin-1) or Parquet file, up "
                        f"to {MAX_MB} MB, one row per event")
    for role, text in (("score", "the model's probability of the positive class"),
                       ("label", "the true outcome (0/1, or see --positive)"),
                       ("value", "money or harm at stake per event (optional)"),
                       ("segment", "subgroup to slice by (optional)"),
                       ("time", "week number or date, for the weekly view and drift (optional)")):
        a.add_argument(f"--{role}-col", help=f"column with {text}; guessed from the names "
                                             "when omitted" if role in ("score", "label")
                       else f"column with {text}")
    first = a.add_mutually_exclusive_group()
    first.add_argument("--header", dest="header", action="store_const", const=True,
                       help="the first row holds column names (when it is all numbers)")
    first.add_argument("--no-header", dest="header", action="store_const", const=False,
                       help="the file has no header row: columns are 'column 1', 'column 2', ...")
    a.add_argument("--positive", help="the label value that is the positive class, when labels "
                                      "are not 0/1")
    a.add_argument("--score-transform", choices=("sigmoid", "percent", "rank"),
                   help="for scores outside [0, 1]: read them as logits (sigmoid), as "
                        "percentages (divide by 100) or rescale their ranks to [0, 1]")
    a.add_argument("--unlabelled-from", metavar="PERIOD",
                   help="with --time-col: the periods from this week number or date on have no "
                        "labels yet; their labels may be empty and their metrics are estimated "
                        "from the scores, calibrated on the earlier periods (empty labels "
                        "elsewhere are still an error)")
    a.add_argument("--drop-missing", action="store_true",
                   help="drop the rows with empty cells in the chosen columns (counted)")
    a.add_argument("--t-low", type=_number, default=0.5, help="scores below this pass (0.5)")
    a.add_argument("--t-high", type=_number, default=0.5,
                   help="scores at or above this are flagged; between the two go to review "
                        "(0.5: no review band)")
    a.add_argument("--cost-fn", type=_number, default=10.0,
                   help="cost of a missed positive, in your unit (10)")
    a.add_argument("--cost-fp", type=_number, default=1.0, help="cost of a false alarm (1)")
    a.add_argument("--cost-review", type=_number, default=0.5, help="cost of one review (0.5)")
    a.add_argument("--fn-share-of-value", type=_number, default=1.0,
                   help="with --value-col, a missed positive also costs this share of its value "
                        "(1)")
    a.add_argument("--review-capacity", type=_whole,
                   help="reviews per period (per week with a time column); default unlimited")
    a.add_argument("--overflow", choices=("pass", "flag"), default="pass",
                   help="what happens to band events beyond the capacity (pass)")
    a.add_argument("--reviewer-accuracy", type=_number, default=1.0,
                   help="share of reviews decided right (1)")
    a.add_argument("--min-precision", type=_number, help="guardrail: precision at least this")
    a.add_argument("--min-recall", type=_number, help="guardrail: recall at least this")
    a.add_argument("--min-pass-rate", type=_number, help="guardrail: pass rate at least this")
    a.add_argument("--max-review", type=_number,
                   help="guardrail: average reviews per period at most this")
    a.add_argument("--fairness", metavar="STRATEGY",
                   help=f"bands per segment (needs a segment column): one of "
                        f"{', '.join(STRATEGIES)}")
    a.add_argument("--tolerance", type=_number, default=DEFAULT_TOLERANCE,
                   help="with --fairness: largest gap allowed between segments, as a share "
                        "(0.02 = 2 percentage points)")
    a.add_argument("--fairness-out", help="with --fairness: the JSON path (the suggest "
                                          "command's fields)")
    a.add_argument("--out", help="CSV with one row per period at the given band")


def _share(name: str, value: float | None, low: float, high: float) -> None:
    if value is not None and not (np.isfinite(value) and low <= value <= high):
        raise UsageError(f"{name} = {value!r} is invalid: it must be within [{low:g}, {high:g}]")


def command(args) -> None:
    for name in ("t_low", "t_high", "min_precision", "min_recall", "min_pass_rate",
                 "reviewer_accuracy"):
        _share("--" + name.replace("_", "-"), getattr(args, name), 0.0, 1.0)
    if args.t_low > args.t_high:
        raise UsageError(f"--t-low {args.t_low:g} must not exceed --t-high {args.t_high:g}")
    if args.max_review is not None and not args.max_review >= 0:
        raise UsageError(f"--max-review = {args.max_review!r} is invalid: it must be >= 0")
    if args.fairness is not None and args.fairness not in STRATEGIES:
        raise UsageError(f"--fairness {clip(args.fairness, 40)!r}: choose one of "
                         f"{', '.join(STRATEGIES)}")
    _share("--tolerance", args.tolerance, 0.0, 1.0)
    if args.fairness_out and not args.fairness:
        raise UsageError("--fairness-out needs --fairness STRATEGY")
    check_writable(args.out, "--out")
    check_writable(args.fairness_out, "--fairness-out")
    try:
        setup = Setup(args.cost_fn, args.cost_fp, args.cost_review, args.fn_share_of_value,
                      args.review_capacity, args.overflow, args.reviewer_accuracy)
    except ValueError as err:
        raise UsageError(str(err)) from None
    try:
        frame = read_table(args.input, header=args.header)
        guess = guess_columns(frame)
        columns = {role: getattr(args, f"{role}_col") or (guess[role] if role in
                                                          ("score", "label") else None)
                   for role in ("score", "label", "value", "segment", "time")}
        data = prepare(frame, columns, positive=args.positive, transform=args.score_transform,
                       drop_missing=args.drop_missing, unlabelled_from=args.unlabelled_from)
    except ScoreFileError as err:
        hint = {ScoresOutOfRange: " (--score-transform sigmoid|percent|rank)",
                LabelsNotBinary: " (--positive VALUE)",
                MissingValues: " (--drop-missing)",
                HeaderLooksLikeData: " (--header or --no-header)"}.get(type(err), "")
        where = "" if str(err).startswith(Path(args.input).name) else f"{args.input}: "
        raise UsageError(f"{where}{err}{hint}") from None

    analysis = Analysis(data, setup)
    t_low, t_high = args.t_low, args.t_high
    try:
        estimates = analysis.estimates(t_low, t_high)
    except ValueError as err:
        raise UsageError(f"{args.input}: {err}") from None
    weekly = analysis.weekly(t_low, t_high)
    totals = analysis.totals(t_low, t_high)
    guardrails = Guardrails(args.min_precision, args.min_recall, args.min_pass_rate,
                            args.max_review)
    suggestion = analysis.suggest(guardrails, frontier_points=0)

    out = sys.stdout
    print(f"{args.input}: {describe(data)}", file=out)
    print(f"policy t_low = {t_low}, t_high = {t_high}: below t_low pass, at or above t_high "
          f"flagged, between to review", file=out)
    _print_totals(totals, analysis.periods, out)
    print("suggestion: " + suggestion.message(), file=out)
    if suggestion.feasible:
        m = suggestion.metrics
        print(f"  at the suggestion: precision {format_share(m['precision'])}, recall "
              f"{format_share(m['recall'])}, pass rate {format_share(m['pass_rate'])}, "
              f"reviews per period {m['review_demand_per_week']:,.1f}", file=out)
    if args.fairness:
        _fairness(analysis, data, guardrails, args, out)
    if estimates is not None:
        _print_estimates(estimates, out)
        weekly = pd.concat([weekly.assign(labels="known"),
                            estimates.assign(labels="not yet: estimated")], ignore_index=True)
    if args.out:
        write_csv(weekly, sys.stdout if args.out == "-" else args.out)


def _fairness(analysis, data, guardrails, args, out) -> None:
    """``--fairness``: the strategy's bands per segment over the file's labelled rows."""
    if data.segment is None:
        raise UsageError("--fairness needs a segment column: give --segment-col NAME")
    setup = analysis.setup
    found = FairnessProblem(
        analysis.period, data.score, data.label, analysis.fn_cost, analysis.fp_cost,
        analysis.correct, data.segment, data.segments, capacity=analysis.capacity,
        overflow_action=setup.overflow_action, review_cost=setup.cost_review,
        guardrails=guardrails).solve(args.fairness, args.tolerance)
    state = "feasible" if found.feasible else "infeasible"
    print(f"fairness {args.fairness}: {state}" + (f": {found.message}" if found.message
                                                  else ""), file=out)
    for name, (lo, hi) in found.bands.items():
        m = found.segments[name]
        print(f"  {name:<20} band {lo:.3f}-{hi:.3f}: recall {format_share(m['recall'])}, "
              f"precision {format_share(m['precision'])}, pass rate "
              f"{format_share(m['pass_rate'])}, reviewed {format_share(m['reviews'])}",
              file=out)
    d = found.to_dict()
    print(f"  cost {d['cost_total']:,.2f}; price against the cheapest bands per segment "
          f"{d['price']['vs_per_segment']:,.2f}, against one band for all "
          f"{d['price']['vs_single']:,.2f}" if found.bands else "  no bands", file=out)
    if args.fairness_out:
        text = json.dumps({"input": args.input, "guardrails": guardrails.describe(), **d},
                          indent=2, allow_nan=False) + "\n"
        Path(args.fairness_out).write_text(text, encoding="utf-8")


def _print_estimates(est, out) -> None:
    print("periods without labels yet, ESTIMATED from the scores (calibrated on the labelled "
          "periods; 90% intervals):", file=out)

    def shown(row, m):
        if not np.isfinite(row[f"est_{m}"]):
            return "undefined"
        if m == "cost":
            return f"{row['est_cost']:,.2f} ({row['est_cost_low']:,.2f}-{row['est_cost_high']:,.2f})"
        return (f"{format_share(row[f'est_{m}'])} ({format_share(row[f'est_{m}_low'])}-"
                f"{format_share(row[f'est_{m}_high'])})")

    for _, row in est.iterrows():
        print(f"  {row['period_name']:<20} {row['events']:,} rows: precision "
              f"{shown(row, 'precision')}, recall {shown(row, 'recall')}, cost "
              f"{shown(row, 'cost')}", file=out)


def _print_totals(t: dict, periods: int, out) -> None:
    rows = [
        ("events", f"{t['events']:,.0f}"), ("positives", f"{t['positives']:,.0f}"),
        ("flagged / passed", f"{t['flagged']:,.0f} / {t['passed']:,.0f}"),
        ("tp fp tn fn", f"{t['tp']:,.0f} {t['fp']:,.0f} {t['tn']:,.0f} {t['fn']:,.0f}"),
        ("precision", format_share(t["precision"])), ("recall", format_share(t["recall"])),
        ("pass rate", format_share(t["pass_rate"])),
        ("reviews per period", f"{t['review_demand_per_week']:,.1f} demanded, "
                               f"{t['reviewed_per_week']:,.1f} reviewed over {periods} period(s)"),
        ("cost", f"{t['cost_total']:,.2f} (missed {t['cost_fn']:,.2f}, false alarms "
                 f"{t['cost_fp']:,.2f}, reviews {t['cost_review']:,.2f})"),
        ("ROC AUC", "undefined" if not np.isfinite(t["auc"]) else f"{t['auc']:.4f}"),
    ]
    for name, text in rows:
        print(f"  {name:<20} {text}", file=out)
