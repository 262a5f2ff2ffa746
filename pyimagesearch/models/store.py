"""Model files: which format a file holds, where its class labels live, atomic writes.

Labels travel with the model: inside the ``.keras`` zip as ``labels.json``, and
appended to a ``.tflite`` flatbuffer as a trailer (TFLite ignores bytes after
the flatbuffer). The tutorial's 2020 HDF5 file has none: it gets TUTORIAL_LABELS.
Nothing here imports TensorFlow.
"""
import json
import os
import struct
import tempfile
import zipfile
import zlib

from ..errors import InputError
from ..labels import TUTORIAL_LABELS

LABELS_ENTRY = "labels.json"
TRAILER_MAGIC = b"PYISLBL1"
TRAILER = struct.Struct("<Q8s")  # length of the labels JSON, magic
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
# a charset of a few hundred characters takes a few kB: anything far larger is not labels
# (and must not be read into memory: a small zip member can unpack to gigabytes)
MAX_LABELS_BYTES = 1 << 20


def sniff_format(path):
    """'keras', 'hdf5' or 'tflite', decided by the bytes, not the name."""
    if not os.path.isfile(path):
        raise InputError(f"{path}: no such model file")
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as e:
        raise InputError(f"{path}: cannot read it ({e.strerror or e})") from None
    if head.startswith(b"PK"):
        return "keras"
    if head == HDF5_MAGIC:
        return "hdf5"
    if head[4:8] == b"TFL3":
        return "tflite"
    raise InputError(f"{path}: not a model file (expected .keras, HDF5 or .tflite content)")


def _encode_labels(labels):
    return json.dumps({"labels": list(labels)}).encode("utf-8")


def _decode_labels(blob, path):
    """A model's labels: a JSON object whose "labels" is a list of distinct, non-empty strings."""
    try:
        labels = json.loads(blob.decode("utf-8"))["labels"]
    except (ValueError, KeyError, TypeError):
        raise InputError(f"{path}: its class labels are corrupt") from None
    if not isinstance(labels, list) or not labels:
        raise InputError(f"{path}: its class labels are corrupt (not a list of labels)")
    if not all(isinstance(label, str) and label for label in labels):
        raise InputError(f"{path}: its class labels are corrupt (each must be a non-empty string)")
    if len(set(labels)) != len(labels):
        raise InputError(f"{path}: its class labels are corrupt (a label appears twice)")
    return labels


def _labels_blob_too_long(path, length):
    if length > MAX_LABELS_BYTES:
        raise InputError(f"{path}: its class labels are corrupt ({length} bytes, at most "
                         f"{MAX_LABELS_BYTES} expected)")


def _keras_labels(path):
    """labels.json inside a .keras zip, or None when it has none."""
    try:
        with zipfile.ZipFile(path) as z:
            try:
                entry = z.getinfo(LABELS_ENTRY)
            except KeyError:
                return None
            _labels_blob_too_long(path, entry.file_size)
            blob = z.read(entry)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as e:
        # a broken archive, a corrupt or encrypted member, an unknown compression method
        raise InputError(f"{path}: corrupt .keras file ({type(e).__name__})") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read it ({e.strerror or e})") from None
    return _decode_labels(blob, path)


def _tflite_labels(path):
    """The labels trailer after a TFLite flatbuffer, or None when it has none."""
    try:
        with open(path, "rb") as f:
            size = f.seek(0, os.SEEK_END)
            if size <= TRAILER.size:
                return None
            f.seek(size - TRAILER.size)
            length, magic = TRAILER.unpack(f.read(TRAILER.size))
            if magic != TRAILER_MAGIC:
                return None
            if length > size - TRAILER.size:
                raise InputError(f"{path}: its class labels are corrupt (the trailer claims "
                                 f"{length} bytes, the file has {size})")
            _labels_blob_too_long(path, length)
            f.seek(size - TRAILER.size - length)
            blob = f.read(length)
    except OSError as e:
        raise InputError(f"{path}: cannot read it ({e.strerror or e})") from None
    return _decode_labels(blob, path)


def read_labels(path):
    """The class labels a model file carries (TUTORIAL_LABELS for 2020 HDF5 files and
    for files saved without labels)."""
    kind = sniff_format(path)
    labels = None
    if kind == "keras":
        labels = _keras_labels(path)
    elif kind == "tflite":
        labels = _tflite_labels(path)
    return list(TUTORIAL_LABELS) if labels is None else labels


def atomic_write(path, write, suffix=None):
    """Call ``write(tmp_path)`` then rename over ``path``: a crash leaves the old file.
    The temporary name ends in ``suffix`` (default: the path's extension), for
    writers that insist on one (Keras: ``.weights.h5``)."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise InputError(f"{path}: folder {directory} does not exist")
    if not os.access(directory, os.W_OK):
        raise InputError(f"{path}: folder {directory} is not writable")
    suffix = suffix or os.path.splitext(path)[1] or ".tmp"
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=directory)
    except OSError as e:
        raise InputError(f"{path}: cannot write it ({e.strerror or e})") from None
    os.close(fd)
    try:
        write(tmp)
        # mkstemp makes the file private; give it the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as e:   # a full disk, a quota, a file system gone read-only
        kept = "the old file is unchanged" if os.path.exists(path) else "nothing was written"
        raise InputError(f"{path}: cannot write it ({e.strerror or e}); {kept}") from None
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def save_keras(model, path, labels):
    """Save a Keras model with its labels inside, atomically."""
    if not path.endswith(".keras"):
        raise InputError(f"{path}: model path must end in .keras")

    def write(tmp):
        model.save(tmp)
        with zipfile.ZipFile(tmp, "a") as z:
            z.writestr(LABELS_ENTRY, _encode_labels(labels))

    atomic_write(path, write)


def save_tflite(flatbuffer, path, labels):
    """Write a TFLite flatbuffer with the labels trailer, atomically."""
    blob = _encode_labels(labels)

    def write(tmp):
        with open(tmp, "wb") as f:
            f.write(flatbuffer)
            f.write(blob)
            f.write(TRAILER.pack(len(blob), TRAILER_MAGIC))

    atomic_write(path, write)


def lite_twin_path(path):
    """Where the .tflite copy of a Keras model file belongs: beside it, same stem."""
    stem, ext = os.path.splitext(path)
    return (stem if ext in (".keras", ".h5") else path) + ".tflite"


def lite_twin(path):
    """The .tflite file that sits beside a Keras model file, or None."""
    twin = lite_twin_path(path)
    return twin if os.path.isfile(twin) else None


def load_with_runtime(path, runtime, load_lite, load_keras):
    """The one rule for every model file: a ``.tflite`` runs on LiteRT; a Keras file
    runs on its ``.tflite`` twin when that has the same labels and loads (otherwise a
    warning, and Keras), unless ``runtime`` ('auto', 'litert', 'keras') says otherwise."""
    import sys
    if sniff_format(path) == "tflite":
        if runtime == "keras":
            raise InputError(f"{path}: a LiteRT file cannot run on Keras")
        return load_lite(path)
    twin = lite_twin(path) if runtime != "keras" else None
    if twin:
        try:
            if read_labels(twin) != read_labels(path):
                raise InputError(f"{twin}: its labels differ from {path}")
            return load_lite(twin)
        except InputError as e:
            print(f"[WARNING] {e}; using the Keras model", file=sys.stderr)
    if runtime == "litert":
        raise InputError(f"{path}: no usable .tflite copy beside it; convert it with "
                         f"python -m pyimagesearch.models.convert {path}")
    return load_keras(path)
