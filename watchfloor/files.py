"""Files Watchfloor writes: for their owner only, and whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def owner_only() -> None:
    """From now on this process creates files and folders for their owner only (umask 077): the
    warehouse and its write-ahead log hold the clear text the dashboard blurs, the users, secrets
    and audit files what their names say. Files that exist keep the mode they have (an operator's
    0640 for a group stays)."""
    current = os.umask(0o077)
    os.umask(current | 0o077)


def write_atomically(path: Path, text: str, *, mode: int = 0o600, exclusive: bool = False) -> None:
    """Write `text` to `path` through a temporary file in the same folder (created 0700 if missing),
    with `mode`, so that readers see the old file or the new one, never half of one.

    exclusive=True publishes with os.link, which raises FileExistsError if the path appeared
    meanwhile (nothing is overwritten); otherwise os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(tmp, path)
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
