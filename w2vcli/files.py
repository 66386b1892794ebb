"""The one way any file is written: atomically (temporary file beside it, fsync, rename), with one-line errors.

A crash at any moment leaves either the old file or the new one, never a half-written one; a failed write
(disk full, I/O error, no permission) raises W2VError naming the file, keeps the old file, and leaves no
temporary file behind. Temporary files of the same output left by a killed run are removed at the next write.
Not here: what is written (the format modules own their layouts).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from .errors import ConfigError, W2VError

TEMP_SUFFIX = ".tmp"


def temp_prefix(path: Path) -> str:
    """Temporary files of path are named '.NAME.<random>.tmp' in path's folder."""
    return f".{path.name}."


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete temporary files of path that a killed writer left behind; returns what was removed."""
    removed = []
    try:
        candidates = list(path.parent.glob(f"{_glob_escape(temp_prefix(path))}*{TEMP_SUFFIX}"))
    except OSError:
        return removed
    for candidate in candidates:
        middle = candidate.name[len(temp_prefix(path)):-len(TEMP_SUFFIX)]
        if len(middle) == 8 and all(c.isalnum() or c == "_" for c in middle):  # mkstemp's random part
            try:
                candidate.unlink()
                removed.append(candidate)
            except OSError:
                pass
    return removed


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)


def new_file_mode(path: Path) -> int:
    """The existing file's permissions, or 0666 less the umask for a new file (what a plain open() gives)."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path, write: Callable[[BinaryIO], object]) -> None:
    """Call write(file) on a temporary file beside path, flush, fsync, then rename it over path.

    Any OSError (disk full, I/O error, permission) becomes one W2VError line; the old file stays as it was.
    """
    path = Path(path)
    remove_stale_temps(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as error:
        raise W2VError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        os.fchmod(fd, new_file_mode(path))  # mkstemp makes 0600; give the file the mode a plain open() would
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp_name, path)
    except OSError as error:
        Path(tmp_name).unlink(missing_ok=True)
        raise W2VError(f"cannot write {path}: {error.strerror or error} (the previous file, if any, is kept)") from None
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: some file systems refuse to open a folder)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def check_new_output(path, *, inputs=(), force: bool = False) -> None:
    """Before any work: refuse to write path over one of inputs (the same file however named: another spelling,
    a symbolic or a hard link), over an existing file unless force, over a folder, or into a missing folder."""
    path = Path(path)
    for source in map(Path, inputs):
        if path.exists() and source.exists() and os.path.samefile(path, source):
            raise ConfigError(f"{path} is the input file {source}; choose another output name")
    if path.is_dir():
        raise ConfigError(f"{path} is a folder; give a file name")
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; use --force to overwrite it")
    if not path.parent.is_dir():
        raise ConfigError(f"folder {path.parent} does not exist")
