"""Every registered experiment step. Importing this package registers them all."""

from harness.steps import discovery, framing, profile, stories, wirecopy

__all__ = ["discovery", "framing", "profile", "stories", "wirecopy"]
