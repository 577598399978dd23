"""Versioned data files (dictionaries, lexicons, word lists) and their provenance.

Every resource the harness reads goes through :func:`resource`, so that a run's
manifest can list the name, version and SHA-256 of exactly what produced the
numbers.
"""

from harness.resources.registry import (
    Resource,
    external_resource,
    packaged_resource,
    project_resource,
    resource_versions,
)

__all__ = ["Resource", "external_resource", "packaged_resource", "project_resource", "resource_versions"]
