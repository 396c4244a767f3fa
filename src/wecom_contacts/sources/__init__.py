"""Sources of the desired directory: HR files (CSV, .xlsx), LDAP, SQL — through a mapping.

    result = read_source("hr-mapping.yaml")      # every row read, every problem collected
    for problem in result.problems:
        print(problem)
    desired = load_source("hr-mapping.yaml")     # the same, refused while any row is wrong
    plan = make_plan(desired, read_live(client))

A source (``Source``) yields ``Record`` objects keyed by its own field names; the mapping
file says which field feeds which WeCom field. See docs/sources.md.
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
from .build import Problem, SourceResult, build_directory
from .mapping import MappingFile, mapping_json_schema
from .mapping_file import LoadedMapping, load_mapping, parse_mapping
from .read import is_mapping_file, load_source, loader, read_source

__all__ = [
    "ENTITIES",
    "Entity",
    "FingerprintTracker",
    "InputSpec",
    "LoadedMapping",
    "MappingFile",
    "Problem",
    "Record",
    "Source",
    "SourceError",
    "SourceFactory",
    "SourceFingerprint",
    "SourceResult",
    "Value",
    "build_directory",
    "is_mapping_file",
    "load_mapping",
    "load_source",
    "loader",
    "mapping_json_schema",
    "open_source",
    "parse_mapping",
    "read_source",
    "register_source_type",
    "source_types",
]
