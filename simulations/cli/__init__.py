"""Command line: ``python -m simulations list``, ``run ...``, ``analyze ...``, ``sweep ...``,
``suggest ...`` and ``label-plan ...``.

Bad arguments and bad scenario files exit with status 2 and one line on stderr (no traceback).
Without ``--out`` the weekly table goes to standard output as CSV, so it can be piped. Each
command lives in its own module (``run`` for list and run, ``analyze``, ``sweep``,
``suggest``, ``label_plan``); what they share is in ``common``.
"""

from __future__ import annotations

import sys

from ..experiments.worlds import WorldError
from ..scenario import ScenarioError
from . import analyze, label_plan, suggest, sweep
from . import run as run_command
from .common import Parser, UsageError


def _parser() -> Parser:
    parser = Parser(prog="python -m simulations",
                    description="Tradeoff Lab simulator: domains, presets, runs and your own "
                                "scores.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    run_command.add_parsers(sub)
    analyze.add_parser(sub)
    sweep.add_parser(sub)
    suggest.add_parser(sub)
    label_plan.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command == "list":
            run_command.command_list()
        elif args.command == "analyze":
            analyze.command(args)
        elif args.command == "sweep":
            sweep.command(args)
        elif args.command == "suggest":
            suggest.command(args)
        elif args.command == "label-plan":
            label_plan.command(args)
        else:
            run_command.command_run(args)
    except (UsageError, ScenarioError, WorldError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"error: {err.strerror or err}: {getattr(err, 'filename', '') or ''}".rstrip(": "),
              file=sys.stderr)
        return 2
    except RecursionError:
        print("error: the input is nested too deeply to be a scenario", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0
