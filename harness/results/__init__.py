"""Immutable, content-addressed results and their manifests."""

from harness.results.hashing import result_id, table_bytes
from harness.results.manifest import ID_FIELDS, MANIFEST_FORMAT, Manifest, TableEntry, derive_result_id
from harness.results.store import Damage, ResultStore, StoredResult, parse_ref, write_atomic

__all__ = [
    "ID_FIELDS",
    "MANIFEST_FORMAT",
    "Damage",
    "Manifest",
    "ResultStore",
    "StoredResult",
    "TableEntry",
    "derive_result_id",
    "parse_ref",
    "result_id",
    "table_bytes",
    "write_atomic",
]
