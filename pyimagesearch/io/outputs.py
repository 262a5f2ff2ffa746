"""Where results go, by one rule: annotated pictures only where asked (or, for a
single photo with no screen to show it on, beside the working folder), a batch's
pictures in a folder that mirrors the input tree, never over an input; JSON
written as each image is read, so an interruption keeps what was read."""
import json
import os

from ..errors import InputError
from .atomic import writable_folder

PICTURE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
SUFFIX = "_ocr.png"


def annotation_targets(paths: list[str], output: str | None, fallback: bool) -> dict:
    """{input path: where its annotated picture goes, or None}. ``output``: the
    user's -o (a file for one image; a folder for several, or when it ends in a
    slash or is one); ``fallback``: save single photos as ``<stem>_ocr.png`` here
    when -o is not given. Every problem is an InputError before any image is read."""
    if not output:
        single = fallback and len(paths) == 1
        targets = {path: _stem(path) + SUFFIX if single else None for path in paths}
    elif len(paths) > 1 or output.endswith(("/", os.sep)) or os.path.isdir(output):
        targets = _mirrored(paths, output)
    else:
        targets = {paths[0]: _single_file(output)}
    inputs = {os.path.realpath(path) for path in paths}
    for path, target in targets.items():
        if target and os.path.realpath(target) in inputs:
            raise InputError(f"{target}: the annotated picture would overwrite an input image; "
                             f"choose another -o")
    return targets


def _stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def _single_file(output):
    if not output.lower().endswith(PICTURE_EXTENSIONS):
        raise InputError(f"-o {output}: name a picture file ({', '.join(PICTURE_EXTENSIONS)}) "
                         f"or a folder (end it with /)")
    writable_folder(output)
    return output


def _mirrored(paths, folder):
    """Each input's picture in ``folder``, at its path below the inputs' common folder."""
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as e:
        raise InputError(f"-o {folder}: cannot make that folder ({e.strerror})") from None
    if not os.access(folder, os.W_OK):
        raise InputError(f"-o {folder}: folder is not writable")
    folders = [os.path.dirname(os.path.abspath(path)) for path in paths]
    root = os.path.commonpath(folders)
    return {path: os.path.join(folder, os.path.relpath(where, root), _stem(path) + SUFFIX)
            for path, where in zip(paths, folders)}


def make_parent(target):
    """The folder of ``target``, made when missing (a mirrored sub-folder)."""
    try:
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    except OSError as e:
        raise InputError(f"{target}: cannot make its folder ({e.strerror})") from None


class JsonArray:
    """A JSON array written one page at a time: valid JSON whenever it is closed."""

    def __init__(self, out):
        self.out = out
        self.count = 0

    def add(self, item):
        text = json.dumps(item, indent=1)
        self.out.write(("[\n" if self.count == 0 else ",\n") + "\n".join(" " + line for line in text.split("\n")))
        self.out.flush()
        self.count += 1

    def close(self):
        self.out.write("[]\n" if self.count == 0 else "\n]\n")
        self.out.flush()


def identity(path):
    """What says an image is the one already read: its path, size and change time."""
    stat = os.stat(path)
    return {"image": path, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


class JsonLines:
    """A results file of one JSON object per line, each flushed and fsync'ed as it
    is written, so that a crash loses at most the line in flight. Opened again, it
    continues: a torn last line is cut off, and the images it already holds (same
    path, size and change time, read without error) are ``done``."""

    def __init__(self, path, overwrite=False):
        self.path = path
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise InputError(f"{path}: folder {folder} does not exist")
        self.done_keys = set() if overwrite else self._read_done()
        try:
            self.file = open(path, "w" if overwrite else "a", encoding="utf-8")
        except OSError as e:
            raise InputError(f"{path}: cannot write there ({e.strerror})") from None

    def _read_done(self):
        if not os.path.isfile(self.path):
            return set()
        with open(self.path, "rb") as f:
            data = f.read()
        complete = data[:data.rfind(b"\n") + 1]
        if len(complete) < len(data):      # a line torn by a crash: cut it off
            with open(self.path, "r+b") as f:
                f.truncate(len(complete))
        done = set()
        for number, line in enumerate(complete.decode("utf-8", errors="replace").splitlines(), 1):
            try:
                record = json.loads(line)
            except ValueError:
                raise InputError(f"{self.path}: line {number} is not JSON; is this a results file? "
                                 f"(--overwrite starts it afresh)") from None
            if isinstance(record, dict) and "error" not in record:
                done.add(_key(record))
        return done

    def done(self, path):
        try:
            return _key(identity(path)) in self.done_keys
        except OSError:
            return False

    def add(self, record):
        self.file.write(json.dumps(record) + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self):
        self.file.close()


def _key(record):
    return record.get("image"), record.get("size"), record.get("mtime_ns")
