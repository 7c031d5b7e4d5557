"""Files the data dir keeps between starts (parsed documents, name indexes, the classifier's models): each
written whole, so a process that reads one never sees half of it, and older files of the same kind removed."""

from __future__ import annotations

import io
import logging
import os
import pickle
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


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


def read_pickle(path: Path, *types: type) -> Any:
    """The object pickled in path if it is one of these types; None when the file is missing or unreadable in
    any way (truncated, overwritten, another type, from another version of the code): the caller builds again."""
    try:
        value = pickle.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except Exception as e:  # noqa: BLE001 - whatever the damage, the file is only a cache
        log.warning("cache file %s unreadable (%s); building it again", path.name, type(e).__name__)
        return None
    return value if isinstance(value, types) else None
