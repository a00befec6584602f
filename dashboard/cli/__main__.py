"""`python -m dashboard.cli`: the same as the `fsdash` console script (the browser tests start the app this way)."""

from dashboard.cli import main

main()
