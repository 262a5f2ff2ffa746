"""Where results go, by one rule: annotated pictures only where asked (or, for a
single photo with no screen to show it on, beside the working folder), a batch's
pictures in a folder that mirrors the input tree, never over an input; JSON
written as each image is read, so an interruption keeps what was read."""
import json
import os

from ..errors import InputError

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
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise InputError(f"{output}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise InputError(f"{output}: folder {folder} is not writable")
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
