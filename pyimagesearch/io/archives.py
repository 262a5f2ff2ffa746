"""Zip archives read safely: the arrays of an ``.npz`` (every way such a file can be
broken - not a zip, a ``.npy`` under an ``.npz`` name, a member that is not an array, a
corrupt or encrypted member, pickled objects - is one InputError that names the
file), and the sizes a ``.npz`` or ``.keras`` archive claims to unpack to, bounded by
a multiple of the file's size before anything is unpacked."""
import os
import tokenize
import zipfile
import zlib

import numpy as np

from ..errors import InputError, first_line

NPY_MAGIC = b"\x93NUMPY"
# Real data sets unpack to 3-10 times their compressed size; deflate reaches 1000
# times on zeros, so a small file could otherwise unpack to gigabytes
MAX_UNPACK_RATIO = 100
UNPACK_ALLOWANCE = 64 << 20   # bytes any member may unpack to, whatever the ratio
# what a broken archive or member raises inside numpy and zipfile: numpy parses a
# .npy header as a Python literal, so a damaged one can raise a tokenizer's errors too
READ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError,
               RuntimeError, MemoryError, SyntaxError, TypeError, tokenize.TokenError)


def unpack_limit(path: str) -> int:
    """The most bytes an archive of ``path``'s size may unpack to."""
    return max(UNPACK_ALLOWANCE, MAX_UNPACK_RATIO * os.path.getsize(path))


def check_unpacked_size(path: str) -> None:
    """InputError when the zip at ``path`` claims to unpack, in all, to more than
    ``unpack_limit`` (or cannot be read as a zip)."""
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(member.file_size for member in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise InputError(f"{path}: not a readable zip archive ({first_line(e)})") from None
    if total > unpack_limit(path):
        raise InputError(f"{path}: unpacks to {total} bytes, more than {MAX_UNPACK_RATIO} times its size")


class NpzArchive:
    """``with NpzArchive(path) as npz: npz.array("images")``; ``npz.keys`` lists the arrays."""

    def __init__(self, path: str):
        self.path = path
        self._npz = None
        if not os.path.isfile(path):
            raise InputError(f"{path}: no such file")
        try:
            with open(path, "rb") as f:
                head = f.read(len(NPY_MAGIC))
            if head.startswith(NPY_MAGIC):
                raise InputError(f"{path}: a single .npy array, not an .npz archive of named arrays")
            if not head.startswith(b"PK"):
                raise InputError(f"{path}: not an .npz archive" + (" (file is empty)" if not head else ""))
            self._npz = np.load(path, allow_pickle=False)
            self.keys = list(self._npz.files)
        except READ_ERRORS as e:
            self.close()
            raise InputError(f"{path}: not a readable .npz archive ({first_line(e)})") from None
        self._limit = unpack_limit(path)

    def array(self, key: str) -> np.ndarray:
        """The array stored as ``key``; an InputError when it is missing or broken."""
        if key not in self.keys:
            raise InputError(f"{self.path}: no array {key!r} in it (found {', '.join(self.keys) or 'none'})")
        member = key + ".npy" if key + ".npy" in self._npz.zip.namelist() else key
        size = self._npz.zip.getinfo(member).file_size
        if size > self._limit:
            raise InputError(f"{self.path}: array {key!r} unpacks to {size} bytes, more than "
                             f"{MAX_UNPACK_RATIO} times the file's size")
        try:
            value = self._npz[key]
        except READ_ERRORS as e:
            raise InputError(f"{self.path}: array {key!r} is corrupt ({first_line(e)})") from None
        if not isinstance(value, np.ndarray):
            raise InputError(f"{self.path}: {key!r} is not a numpy array")
        return value

    def close(self) -> None:
        if self._npz is not None:
            self._npz.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_arrays(path: str, keys) -> dict:
    """{key: array} of the arrays ``keys`` of the .npz at ``path``, the file closed again."""
    with NpzArchive(path) as npz:
        return {key: npz.array(key) for key in keys}
