"""`fsdash run`: the Streamlit app on the configured database (the URL is passed on to the app's process)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from dashboard.cli.common import Commands, say
from db.settings import database_url

APP_PATH = Path(__file__).resolve().parents[1] / "app.py"


def cmd_run(args: argparse.Namespace) -> None:
    command = [
        sys.executable,
        "-m",
        "dashboard.streamlit_main",  # Streamlit's command line, set up for st.navigation (see that module)
        "run",
        str(APP_PATH),
        "--server.port",
        str(args.port),
        "--server.address",
        args.address,
    ]
    say(f"Starting the dashboard on http://{args.address}:{args.port} (Ctrl+C to stop)…")
    env = {**os.environ, "DATABASE_URL": database_url()}
    try:
        raise SystemExit(subprocess.call(command, env=env, cwd=APP_PATH.parent.parent))
    except KeyboardInterrupt:
        raise SystemExit(0) from None


def add_commands(commands: Commands) -> None:
    run = commands.add_parser(
        "run",
        help="start the dashboard",
        description="Start the Streamlit app on the configured database (the URL is passed on to the app's process).",
    )
    run.add_argument("--port", type=int, default=8501, help="the port to serve on (default 8501)")
    run.add_argument(
        "--address", default="localhost", help="the address to listen on (default localhost; 0.0.0.0 for every one)"
    )
    run.set_defaults(func=cmd_run)
