"""Atomic writes: a file is written beside its path under a temporary name, made
durable, then renamed over the path, so a crash or a full disk leaves the old file
(or none), never half of a new one."""
import glob
import os
import tempfile

from ..errors import InputError


def writable_folder(path: str) -> str:
    """The folder ``path`` would be written in; an InputError when it is missing or not writable."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise InputError(f"{path}: folder {directory} does not exist")
    if not os.access(directory, os.W_OK):
        raise InputError(f"{path}: folder {directory} is not writable")
    return directory


def write_temporary(path: str, write, suffix: str | None = None) -> str:
    """Call ``write(tmp_path)`` for a temporary file beside ``path`` and return its
    name, with the permissions a plain open() would give; nothing is left on failure.
    The name starts ``.tmp-<name of path>-`` (see ``remove_stale_temporaries``) and
    ends in ``suffix`` (default: the path's extension), for writers that insist on
    one (Keras: ``.weights.h5``)."""
    directory = writable_folder(path)
    suffix = suffix or os.path.splitext(path)[1] or ".tmp"
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".tmp-{os.path.basename(path)}-", suffix=suffix, dir=directory)
    except OSError as e:
        raise InputError(f"{path}: cannot write it ({e.strerror or e})") from None
    os.close(fd)
    try:
        write(tmp)
        _sync(tmp)
        # mkstemp makes the file private
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
    except OSError as e:   # a full disk, a quota, a file system gone read-only
        os.remove(tmp)
        kept = "the old file is unchanged" if os.path.exists(path) else "nothing was written"
        raise InputError(f"{path}: cannot write it ({e.strerror or e}); {kept}") from None
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return tmp


def atomic_write(path, write, suffix=None):
    """Call ``write(tmp_path)`` then rename over ``path``: a crash leaves the old file."""
    tmp = write_temporary(path, write, suffix)
    try:
        os.replace(tmp, path)
    except OSError as e:
        raise InputError(f"{path}: cannot write it ({e.strerror or e}); the old file is unchanged") from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def remove_stale_temporaries(paths) -> None:
    """Delete what killed writers of ``paths`` left behind (``write_temporary``'s files)."""
    for path in paths:
        directory, name = os.path.split(os.path.abspath(path))
        for stale in glob.glob(os.path.join(glob.escape(directory), f".tmp-{glob.escape(name)}-*")):
            os.remove(stale)


def write_text(path: str, text: str) -> None:
    """``text`` (UTF-8) into ``path``, atomically."""
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    atomic_write(path, write)


def write_image(path: str, image, params=()) -> None:
    """``image`` into ``path`` with OpenCV (the format is the extension's), atomically."""
    import cv2   # imported here: most writers of this module write no pictures

    def write(tmp):
        try:
            written = cv2.imwrite(tmp, image, list(params))
        except cv2.error:
            written = False
        if not written:
            raise InputError(f"{path}: cannot write the picture there")

    atomic_write(path, write)


def refuse_existing(paths, also: str = "") -> None:
    """An InputError naming those of ``paths`` that exist: replacing files that are
    there already takes ``--overwrite`` (``also``: another way out, said after it)."""
    there = [p for p in paths if os.path.exists(p)]
    if there:
        raise InputError(f"would overwrite {', '.join(there)}: pass --overwrite to replace them{also}")


def _sync(path):
    """Whatever the writer wrote reaches the disk before the rename makes it the file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
