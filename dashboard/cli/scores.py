"""`fsdash scores rebuild`: recompute the stored family risk scores of closed meetings (after a team moves to
another policy, for instance)."""

from __future__ import annotations

import argparse

from dashboard.cli.common import Commands, command_engine, progress_bar, say
from risk.policies import POLICIES


def cmd_scores_rebuild(args: argparse.Namespace) -> None:
    from db.services.scores import rebuild_scores

    with command_engine() as engine:
        result = rebuild_scores(
            engine, actor=None, team=args.team, policy=args.policy, progress=progress_bar("meetings")
        )
    rules = ", ".join(result.policies) or "no team's rule"
    say(f"Rebuilt {result.scores:,} stored scores for {result.meetings:,} closed meetings (rules: {rules}).")


def add_commands(commands: Commands) -> None:
    scores = commands.add_parser("scores", help="stored family risk scores").add_subparsers(
        dest="scores_command", required=True
    )
    rebuild = scores.add_parser("rebuild", help="recompute stored scores for closed meetings")
    rebuild.add_argument("--team", help="only this team (by name)")
    rebuild.add_argument(
        "--policy",
        choices=list(POLICIES),
        help="first move the team (or every team) to this rule; without it each team keeps its own",
    )
    rebuild.set_defaults(func=cmd_scores_rebuild)
