"""``python -m harness`` is the ``harness`` command."""

from harness.cli.entry import command

command()
