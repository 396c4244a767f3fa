"""`--verbose` / `--debug` / WECOM_LOG_LEVEL: the library's log lines on stderr, secrets redacted.

The client already logs through ``logging`` (``wecom_contacts.http``: one INFO line per request
with its path, errcode, retry number and time; DEBUG for token fetches and retry pauses). The
CLI only decides the level and where the lines go. The URLs httpx logs carry the token or the
secret; a filter in ``_http/transport.py`` replaces them with ``***`` before any handler runs.
"""

from __future__ import annotations

import logging
import os

__all__ = ["configure_logging", "level_for"]

_MARK = "_wecom_contacts_cli"

_LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING,
           "ERROR": logging.ERROR}


def level_for(*, verbose: bool, debug: bool, env: str | None) -> int | None:
    """The flags win over WECOM_LOG_LEVEL; None leaves logging as it is (warnings only)."""
    if debug:
        return logging.DEBUG
    if verbose:
        return logging.INFO
    if env:
        level = _LEVELS.get(env.strip().upper())
        if level is None:
            raise ValueError(
                f"WECOM_LOG_LEVEL={env!r}: expected one of {', '.join(_LEVELS)}"
            )
        return level
    return None


def configure_logging(*, verbose: bool, debug: bool) -> None:
    """Send the library's records at the chosen level to stderr, one line each."""
    level = level_for(verbose=verbose, debug=debug, env=os.environ.get("WECOM_LOG_LEVEL"))
    if level is None:
        return
    handler = logging.StreamHandler()  # stderr: stdout carries the command's output
    handler.setFormatter(logging.Formatter("%(levelname)-5s %(name)s: %(message)s"))
    setattr(handler, _MARK, True)
    # httpx's own request lines (redacted URLs) only at DEBUG: at INFO ours say the same.
    for name, wanted in (("wecom_contacts", level),
                         ("httpx", logging.INFO if level <= logging.DEBUG else logging.WARNING)):
        logger = logging.getLogger(name)
        logger.setLevel(wanted)
        # one handler per process even when main() runs again in it (tests, embedding)
        for old in [h for h in logger.handlers if getattr(h, _MARK, False)]:
            logger.removeHandler(old)
        logger.addHandler(handler)
