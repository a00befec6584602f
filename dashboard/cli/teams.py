"""`fsdash teams set-policy`: the rule a team combines its professionals' ratings by; `fsdash teams
set-presentation-names`: full names or initials on the shared screen (team settings)."""

from __future__ import annotations

import argparse

from dashboard.cli.common import Commands, command_engine, say
from risk.policies import POLICIES


def cmd_teams_set_policy(args: argparse.Namespace) -> None:
    from db.services.scores import set_team_policy

    with command_engine() as engine:
        change = set_team_policy(engine, None, args.team, args.policy, rebuild=args.rebuild)
    now = f"{change.team} now uses the {change.policy} rule (version {change.version})"
    say(f"{now}." if change.changed else f"{now}, as it already did.")
    if args.rebuild:
        say(f"Rebuilt {change.scores_rebuilt:,} stored scores for {change.meetings_rebuilt:,} closed meetings.")
    elif change.changed:
        say("Its closed meetings keep the scores they were stored with; add --rebuild to remake them under it.")


def cmd_teams_set_presentation_names(args: argparse.Namespace) -> None:
    from db.services.team_settings import set_presentation_initials

    initials_only = args.names == "initials"
    with command_engine() as engine:
        changed = set_presentation_initials(engine, None, args.team, initials_only)
    shown = "initials only" if initials_only else "full names"
    say(f"{args.team} now shows families' {shown} in Presentation mode{'' if changed else ', as it already did'}.")


def add_commands(commands: Commands) -> None:
    teams = commands.add_parser("teams", help="team settings").add_subparsers(dest="teams_command", required=True)
    set_policy = teams.add_parser(
        "set-policy",
        help="choose the rule a team combines its professionals' ratings by",
        description="Rules: " + "; ".join(f"{p.name}: {p.description}" for p in POLICIES.values()) + ".",
    )
    set_policy.add_argument("team", metavar="TEAM", help="the team, by name")
    set_policy.add_argument("policy", metavar="POLICY", choices=list(POLICIES), help="one of: " + ", ".join(POLICIES))
    set_policy.add_argument(
        "--rebuild", action="store_true", help="also remake the team's stored scores of closed meetings under it"
    )
    set_policy.set_defaults(func=cmd_teams_set_policy)
    presentation = teams.add_parser(
        "set-presentation-names",
        help="show families' names in full or as initials only in Presentation mode",
        description="Initials only (F-100088 · J / A) are for rooms where visitors can see the projector; every "
        "other screen and the records keep the full name.",
    )
    presentation.add_argument("team", metavar="TEAM", help="the team, by name")
    presentation.add_argument("names", metavar="NAMES", choices=["full", "initials"], help="full or initials")
    presentation.set_defaults(func=cmd_teams_set_presentation_names)
