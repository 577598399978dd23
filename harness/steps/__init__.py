"""Every registered experiment step. Importing this package registers them all."""

from harness.steps import profile

__all__ = ["profile"]
