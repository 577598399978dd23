"""Command-line interface (typer). Every command calls the library and nothing else."""

from harness.cli.app import app, main

__all__ = ["app", "main"]
