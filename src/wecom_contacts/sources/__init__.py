"""Sources of the desired directory: HR files (CSV, .xlsx), LDAP, SQL — through a mapping.

    source = open_source(InputSpec("csv", {"path": "hr.csv"}))
    for record in source.records("members"):
        ...

See docs/sources.md for the mapping file and the input types.
"""

from .base import (
    ENTITIES,
    Entity,
    FingerprintTracker,
    InputSpec,
    Record,
    Source,
    SourceError,
    SourceFactory,
    SourceFingerprint,
    Value,
    open_source,
    register_source_type,
    source_types,
)

__all__ = [
    "ENTITIES",
    "Entity",
    "FingerprintTracker",
    "InputSpec",
    "Record",
    "Source",
    "SourceError",
    "SourceFactory",
    "SourceFingerprint",
    "Value",
    "open_source",
    "register_source_type",
    "source_types",
]
