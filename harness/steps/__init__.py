"""Every registered experiment step. Importing this package registers them all."""

from harness.steps import framing, profile, wirecopy

__all__ = ["framing", "profile", "wirecopy"]
