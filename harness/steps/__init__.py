"""The built-in experiment steps, one module per concern.

Each module registers its steps when imported; the registry
(``harness.experiments.registry.STEPS``) imports a module the first time one of its
steps is asked for, so importing this package imports none of them.
"""

__all__ = ["discovery", "framing", "profile", "stories", "wirecopy"]
