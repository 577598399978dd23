"""Immutable, content-addressed results and their manifests."""

from harness.results.hashing import result_id, table_bytes
from harness.results.manifest import MANIFEST_FORMAT, Manifest, TableEntry
from harness.results.store import ResultStore, StoredResult, parse_ref, write_atomic

__all__ = [
    "MANIFEST_FORMAT",
    "Manifest",
    "ResultStore",
    "StoredResult",
    "TableEntry",
    "parse_ref",
    "result_id",
    "table_bytes",
    "write_atomic",
]
