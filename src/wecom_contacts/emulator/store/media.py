"""Temporary media (media/upload): bytes with a 3-day life, and the files export jobs produce."""

from __future__ import annotations

import hashlib
import secrets as _random
from dataclasses import dataclass

from .database import Database


@dataclass(frozen=True)
class MediaFile:
    media_id: str
    type: str
    filename: str
    data: bytes
    created_at: float
    expires_at: float


@dataclass(frozen=True)
class ExportFileRow:
    file_id: str
    jobid: str
    idx: int
    data: bytes
    md5: str
    expires_at: float


class Media:
    """Access to the media and export_files tables."""

    def __init__(self, db: Database) -> None:
        self._s = db

    def put(self, kind: str, filename: str, data: bytes, now: float, lifetime: float) -> MediaFile:
        # WeCom's media ids are ~64 url-safe characters; they only need to be unguessable here
        media = MediaFile("3" + _random.token_urlsafe(42), kind, filename, data, now,
                          now + lifetime)
        self._s.execute(
            "INSERT INTO media VALUES (?, ?, ?, ?, ?, ?)",
            (media.media_id, kind, filename, data, now, media.expires_at),
        )
        self._s.execute("DELETE FROM media WHERE expires_at < ?", (now - 86400,))
        return media

    def get(self, media_id: str) -> MediaFile | None:
        rows = self._s.query("SELECT * FROM media WHERE media_id = ?", (media_id,))
        if not rows:
            return None
        r = rows[0]
        return MediaFile(r["media_id"], r["type"], r["filename"], bytes(r["data"]),
                         r["created_at"], r["expires_at"])

    def put_export_file(self, jobid: str, idx: int, data: bytes, expires_at: float) -> str:
        file_id = _random.token_urlsafe(24)
        self._s.execute("DELETE FROM export_files WHERE expires_at < ?", (expires_at - 86400,))
        self._s.execute(
            "INSERT INTO export_files VALUES (?, ?, ?, ?, ?, ?)",
            (file_id, jobid, idx, data, hashlib.md5(data).hexdigest(), expires_at),
        )
        return file_id

    def export_file(self, file_id: str) -> ExportFileRow | None:
        rows = self._s.query("SELECT * FROM export_files WHERE file_id = ?", (file_id,))
        if not rows:
            return None
        r = rows[0]
        return ExportFileRow(r["file_id"], r["jobid"], r["idx"], bytes(r["data"]), r["md5"],
                             r["expires_at"])

    def export_files_of(self, jobid: str) -> list[tuple[str, int, str]]:
        """(file_id, size, md5) of a job's files, in order."""
        rows = self._s.query(
            "SELECT file_id, length(data) AS size, md5 FROM export_files WHERE jobid = ? "
            "ORDER BY idx", (jobid,),
        )
        return [(r["file_id"], r["size"], r["md5"]) for r in rows]
