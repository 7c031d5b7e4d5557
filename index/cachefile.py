"""Files the data dir keeps between starts (parsed documents, name indexes, the classifier's models): each
written whole, so a process that reads one never sees half of it, and older files of the same kind removed."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any


def write_whole(path: Path, data: bytes, replaces: str | None = None) -> bool:
    """Writes data to a temporary file of this process, then renames it to path. replaces: a glob of older
    files of the same kind in the folder, removed first. False when the data dir cannot be written (read-only,
    full): the caller builds the same again next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if replaces:
            for old in path.parent.glob(replaces):
                if old != path:
                    old.unlink(missing_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError:
        return False
    return True


def npy_bytes(array: Any) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def npz_bytes(**arrays: Any) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()
