"""Every registered experiment step. Importing this package registers them all."""

from harness.steps import framing, profile

__all__ = ["framing", "profile"]
