"""Writing files a user will read: whole or not at all, and a clear error when it cannot be done.

Every file negsim writes (run records, manifests, Parquet tables, summaries, reports) goes
through `write_atomic`: the content goes to a temporary name beside the target, then
`os.replace` makes it visible, so a reader never sees half a file. A failure (a read-only
folder, a full disk, a missing folder) removes the temporary file and becomes an `OutputError`
naming the file and the reason.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from negsim.errors import OutputError

TMP_SUFFIX = ".tmp"


def temporary_name(path: Path) -> Path:
    """A hidden name beside ``path`` that no other writer uses: ``.<name>.<hex>.tmp``."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}{TMP_SUFFIX}")


def is_temporary(path: Path) -> bool:
    """A file left by a `write_atomic` that was interrupted before its rename."""
    return path.name.startswith(".") and path.name.endswith(TMP_SUFFIX)


def reason(exc: OSError) -> str:
    """The system's one-line reason for a failed file operation."""
    return exc.strerror or str(exc)


def check_writable_target(path: Path, what: str = "") -> None:
    """Raise OutputError unless ``path`` can be (re)written as a file: its folder exists, and it
    is not itself a folder."""
    label = f"{what} {path}" if what else str(path)
    if path.is_dir():
        raise OutputError(f"{label}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise OutputError(f"{label}: no such folder {path.parent}")


def write_atomic(
    path: str | Path, write: Callable[[Path], None], what: str = "", sync: bool = False
) -> Path:
    """Write a file through ``write(temporary_path)``, then rename it into place.

    Args:
        path: the file to write.
        write: writes the whole content to the path it is given.
        what: how the user named the file (e.g. ``--json``), for the error message.
        sync: flush the content to the disk before the rename (for files a resume relies on).

    Raises:
        OutputError: the folder is missing or not writable, the target is a folder, or the disk
            is full; no temporary file is left behind.
    """
    path = Path(path)
    label = f"{what} {path}" if what else str(path)
    try:
        check_writable_target(path, what)
    except OSError as exc:  # a name too long to look up
        raise OutputError(f"{label}: cannot write: {reason(exc)}") from None
    tmp = temporary_name(path)
    try:
        write(tmp)
        if sync:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{label}: cannot write: {reason(exc)}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return path


def write_text(path: str | Path, text: str, what: str = "") -> Path:
    """Write a text file (UTF-8) with `write_atomic`."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), what)
