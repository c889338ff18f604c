"""Allow `python -m qualkit`."""

from qualkit.cli import main

main()
