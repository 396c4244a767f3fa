"""The fingerprint a scheduled run records of its source: how many members it names and a
hash of what was read (the files' bytes, and for a mapping source the records it read:
the HR export behind a mapping file, or an LDAP / SQL source, has no bytes of its own)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..sync import DesiredDirectory

__all__ = ["RunFingerprint", "run_fingerprint"]


@dataclass(frozen=True)
class RunFingerprint:
    """What a run read (the history keeps it): not the sources' own ``SourceFingerprint``
    (wecom_contacts.sources), whose digest is of the records alone, order-free; this one
    adds the files' bytes and counts each section of the desired directory."""

    members: int  # member entries in the source (0 when it does not manage members)
    sha256: str  # of the files' bytes in the order given (and a mapping's records)
    departments: int | None = None  # None: the source does not manage the section
    tags: int | None = None

    def sections(self) -> dict[str, int]:
        """How many entries each section the source manages has (members always)."""
        return {"members": self.members,
                **{k: v for k, v in (("departments", self.departments), ("tags", self.tags))
                   if v is not None}}

    def __str__(self) -> str:
        return f"{self.members} members, sha256:{self.sha256[:16]}"


def run_fingerprint(paths: Sequence[Path], desired: DesiredDirectory,
                    records: str | None = None) -> RunFingerprint:
    """``records``: the sha256 a mapping source gives over the records it read, if any."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    if records is not None:
        digest.update(b"records\0" + records.encode())
    return RunFingerprint(
        len(desired.users or ()), digest.hexdigest(),
        departments=len(desired.departments) if desired.departments is not None else None,
        tags=len(desired.tags) if desired.tags is not None else None)
