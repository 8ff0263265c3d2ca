"""Run the command line with ``python -m briefkit``."""

from briefkit.cli import main

main()
