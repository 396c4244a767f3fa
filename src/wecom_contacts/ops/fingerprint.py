"""The fingerprint of a desired-state source: how many members it names and a hash of its
bytes. One small function, so that a richer source fingerprint can replace it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..sync import DesiredDirectory

__all__ = ["SourceFingerprint", "source_fingerprint"]


@dataclass(frozen=True)
class SourceFingerprint:
    members: int  # member entries in the source (0 when it does not manage members)
    sha256: str  # of the files' bytes, in the order given

    def __str__(self) -> str:
        return f"{self.members} members, sha256:{self.sha256[:16]}"


def source_fingerprint(paths: Sequence[Path], desired: DesiredDirectory) -> SourceFingerprint:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return SourceFingerprint(len(desired.users or ()), digest.hexdigest())
