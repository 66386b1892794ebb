"""The members of a .npz archive, read without trusting it: each .npy header is checked before a byte is inflated.

A .npz is a zip archive of NAME.npy members (np.savez stores them as they are; np.savez_compressed deflates them).
NpzArchive lists the members from the zip's central directory and reads a member's .npy header (magic, version,
dtype, shape: numpy.lib.format's own parsers, header length capped). It refuses a member, before allocating
anything, when:
  - it is not a .npy array, or its dtype holds Python objects (pickles are never loaded) or no bytes per item;
  - its declared shape and dtype disagree with the member's size in the zip, or that size with the file's;
  - it is compressed more than MAX_RATIO:1 (beyond RATIO_FLOOR bytes): a zip bomb.
A stored member's data is then read straight from the archive at its offset, in one read (or mapped, for a
query); a deflated one is inflated into a buffer of the declared size, in pieces, its CRC checked at the end.
Not here: which members a model holds and what they mean (checkpoint.py).
"""

from __future__ import annotations

import math
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib import format as npy

from ..errors import ModelFileError

MAX_RATIO = 32  # real arrays deflate 1.1:1 (float vectors) to ~20:1 (padded unicode words)
RATIO_FLOOR = 16 << 20  # a member inflating to at most this many bytes may have any ratio
NPY_HEADER_LIMIT = 10_000  # numpy's own default cap on a .npy header
PIECE = 16 << 20  # bytes inflated per read
LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, (version ... sizes), name length, extra length: 30 bytes
READERS = {(1, 0): npy.read_array_header_1_0, (2, 0): npy.read_array_header_2_0}


def human_size(size: float) -> str:
    """1234567 -> '1.2 MB' (decimal units, as file managers show them)."""
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{int(size):,} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return ""


@dataclass(frozen=True)
class Member:
    """A checked .npy member: its data starts header_size bytes into the member and fills it exactly."""
    key: str
    dtype: np.dtype
    shape: tuple
    fortran_order: bool
    header_size: int
    info: zipfile.ZipInfo

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


class NpzArchive:
    """An open .npz: `key in archive`, archive.member(key) (header only), archive.read(key) (the array)."""

    def __init__(self, path):
        self.path = Path(path)
        self.size = self.path.stat().st_size
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            raise self.error(f"is not a readable .npz file (truncated or corrupt: {error})") from None
        infos = self.zip.infolist()
        self.infos = {info.filename.removesuffix(".npy"): info for info in infos}

    def __enter__(self) -> NpzArchive:
        return self

    def __exit__(self, *_) -> None:
        self.zip.close()

    def __contains__(self, key: str) -> bool:
        return key in self.infos

    def error(self, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.path} {problem}")

    def member(self, key: str) -> Member:
        """The checked header of member key (KeyError when absent); ModelFileError for anything implausible."""
        info = self.infos[key]
        if info.compress_size > self.size or info.header_offset + info.compress_size > self.size:
            raise self.error(f"is truncated: member '{key}' claims {human_size(info.compress_size)} "
                             f"of a {human_size(self.size)} file")
        if info.compress_type != zipfile.ZIP_STORED and info.file_size > max(MAX_RATIO * info.compress_size,
                                                                              RATIO_FLOOR):
            raise self.error(f"member '{key}' would inflate from {human_size(info.compress_size)} to "
                             f"{human_size(info.file_size)} (over {MAX_RATIO}:1): refusing a zip bomb")
        try:
            with self.zip.open(info) as file:
                version = npy.read_magic(file)
                if version not in READERS:
                    raise ValueError(f"unsupported .npy version {version}")
                shape, fortran_order, dtype = READERS[version](file, max_header_size=NPY_HEADER_LIMIT)
                header_size = file.tell()
        except (ValueError, SyntaxError, TypeError) as error:
            raise self.error(f"member '{key}' is not a .npy array ({_first_line(error)})") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as error:
            raise self.error(f"is not a readable .npz file (truncated or corrupt: {error})") from None
        if dtype.hasobject:
            raise self.error("holds pickled objects; refusing to load it")
        if dtype.itemsize == 0 or dtype.fields is not None or dtype.subdtype is not None:
            raise self.error(f"member '{key}' has an unusable dtype {dtype}")
        found = Member(key, dtype, tuple(shape), fortran_order, header_size, info)
        if header_size + found.nbytes != info.file_size:
            raise self.error(f"member '{key}' claims shape {found.shape} {dtype} ({human_size(found.nbytes)}) "
                             f"but holds {human_size(max(info.file_size - header_size, 0))}")
        return found

    def read(self, key: str, member: Member | None = None, *, mapped: bool = False) -> np.ndarray:
        """The array of member key, its header checked first (or given, from member()). mapped: a stored member
        is mapped read-only from the file instead of copied (pages come from the OS cache as they are touched;
        no CRC check, and the file must not be truncated while the array lives: writers here replace files)."""
        member = member or self.member(key)
        order = "F" if member.fortran_order else "C"
        if mapped and member.info.compress_type == zipfile.ZIP_STORED and member.nbytes:
            offset = self._data_offset(member)
            if offset + member.nbytes > self.size:
                raise self.error(f"is truncated: member '{member.key}' ends past the end of the file")
            return np.memmap(self.path, dtype=member.dtype, mode="r", offset=offset, shape=member.shape, order=order)
        if member.info.compress_type == zipfile.ZIP_STORED:
            data = self._read_stored(member)
        else:
            data = self._inflate(member)
        array = data.view(member.dtype) if member.nbytes else np.zeros(0, dtype=member.dtype)
        return array.reshape(member.shape, order=order)

    def _data_offset(self, member: Member) -> int:
        """Where a stored member's array data starts in the archive file (after its local header and .npy header)."""
        with open(self.path, "rb") as file:
            file.seek(member.info.header_offset)
            signature, name_length, extra_length = LOCAL_HEADER.unpack(file.read(LOCAL_HEADER.size).ljust(30))
        if signature != b"PK\x03\x04":
            raise self.error(f"is not a readable .npz file (member '{member.key}' has no local header)")
        return member.info.header_offset + LOCAL_HEADER.size + name_length + extra_length + member.header_size

    def _read_stored(self, member: Member) -> np.ndarray:
        """A stored member's data bytes (n,) uint8, read in one call from its offset in the archive."""
        data = np.empty(member.nbytes, dtype=np.uint8)
        offset = self._data_offset(member)
        with open(self.path, "rb") as file:
            file.seek(offset)
            got = file.readinto(memoryview(data)) if member.nbytes else 0
        if got != member.nbytes:
            raise self.error(f"is truncated: member '{member.key}' has {human_size(got)} of "
                             f"{human_size(member.nbytes)}")
        return data

    def _inflate(self, member: Member) -> np.ndarray:
        """A compressed member's data bytes (n,) uint8, inflated PIECE bytes at a time into their final place."""
        data = np.empty(member.nbytes, dtype=np.uint8)
        view, done = memoryview(data), 0
        try:
            with self.zip.open(member.info) as file:
                file.read(member.header_size)
                while done < member.nbytes:
                    got = file.readinto(view[done:done + PIECE])
                    if not got:
                        break
                    done += got
                file.read(1)  # reaching the end checks the CRC
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as error:
            raise self.error(f"is not a readable .npz file (truncated or corrupt: {error})") from None
        if done != member.nbytes:
            raise self.error(f"is truncated: member '{member.key}' inflates to {human_size(done)} of "
                             f"{human_size(member.nbytes)}")
        return data


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
