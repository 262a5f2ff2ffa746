"""Model files: which format a file holds, where its class labels live, how they are saved.

Labels travel with the model: inside the ``.keras`` zip as ``labels.json``, and
appended to a ``.tflite`` flatbuffer as a trailer (TFLite ignores bytes after
the flatbuffer), where a twin also keeps the hash of the model file it was made
from. The tutorial's 2020 HDF5 file has none: it gets TUTORIAL_LABELS.
Nothing here imports TensorFlow. One module, longer than most: reading, writing
and pairing model files are one set of rules that every model shares.
"""
import hashlib
import json
import os
import struct
import zipfile
import zlib

from ..errors import InputError
from ..io.atomic import atomic_write
from ..labels import TUTORIAL_LABELS

LABELS_ENTRY = "labels.json"
TRAILER_MAGIC = b"PYISLBL1"
TRAILER = struct.Struct("<Q8s")  # length of the labels JSON, magic
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
# a twin's trailer names the model it was made from (sha256 of its bytes)
STAMP_KEY = "model_sha256"
# a charset of a few hundred characters takes a few kB: anything far larger is not labels
# (and must not be read into memory: a small zip member can unpack to gigabytes)
MAX_LABELS_BYTES = 1 << 20


def sniff_format(path):
    """'keras', 'hdf5' or 'tflite', decided by the bytes, not the name."""
    if not os.path.isfile(path):
        raise InputError(f"{path}: no such model file")
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"PK"):
        return "keras"
    if head == HDF5_MAGIC:
        return "hdf5"
    if head[4:8] == b"TFL3":
        return "tflite"
    raise InputError(f"{path}: not a model file (expected .keras, HDF5 or .tflite content)")


def _encode_trailer(labels, model_sha256=None):
    trailer = {"labels": list(labels)}
    if model_sha256:
        trailer[STAMP_KEY] = model_sha256
    return json.dumps(trailer).encode("utf-8")


def _decode_trailer(blob, path):
    """(the trailer's JSON object, its labels): "labels" must be a list of distinct, non-empty strings."""
    try:
        trailer = json.loads(blob.decode("utf-8"))
        labels = trailer["labels"]
    except (ValueError, KeyError, TypeError):
        raise InputError(f"{path}: its class labels are corrupt") from None
    if not isinstance(labels, list) or not labels:
        raise InputError(f"{path}: its class labels are corrupt (not a list of labels)")
    if not all(isinstance(label, str) and label for label in labels):
        raise InputError(f"{path}: its class labels are corrupt (each must be a non-empty string)")
    if len(set(labels)) != len(labels):
        raise InputError(f"{path}: its class labels are corrupt (a label appears twice)")
    return trailer, labels


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
    return _decode_trailer(blob, path)[1]


def _tflite_trailer(path):
    """The trailer after a TFLite flatbuffer (JSON bytes), or None when it has none."""
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
    return blob


def read_labels(path):
    """The class labels a model file carries (TUTORIAL_LABELS for 2020 HDF5 files and
    for files saved without labels)."""
    kind = sniff_format(path)
    labels = None
    if kind == "keras":
        labels = _keras_labels(path)
    elif kind == "tflite":
        blob = _tflite_trailer(path)
        labels = None if blob is None else _decode_trailer(blob, path)[1]
    return list(TUTORIAL_LABELS) if labels is None else labels


def twin_stamp(path: str) -> str | None:
    """The hash of the model file a .tflite twin was made from, or None (unstamped)."""
    blob = _tflite_trailer(path)
    return None if blob is None else _decode_trailer(blob, path)[0].get(STAMP_KEY)


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_keras(model, path, labels, entries=None):
    """Save a Keras model with its labels inside, atomically; ``entries`` (name ->
    bytes) go into the zip too."""
    if not path.endswith(".keras"):
        raise InputError(f"{path}: model path must end in .keras")

    def write(tmp):
        model.save(tmp)
        with zipfile.ZipFile(tmp, "a") as z:
            z.writestr(LABELS_ENTRY, _encode_trailer(labels))
            for name, blob in (entries or {}).items():
                z.writestr(name, blob)

    atomic_write(path, write)


def save_hdf5(model, path: str) -> None:
    """The tutorial's model file: HDF5 (Keras' legacy format), no labels inside
    (readers give it TUTORIAL_LABELS), under any name, atomically."""
    import logging
    # Keras logs that HDF5 is a legacy format: writing it is the point here
    absl = logging.getLogger("absl")
    level = absl.level
    absl.setLevel(logging.ERROR)
    try:
        atomic_write(path, model.save, suffix=".h5")
    finally:
        absl.setLevel(level)


def save_tflite(flatbuffer, path, labels, model_path=None):
    """Write a TFLite flatbuffer with the labels trailer, atomically; stamped with
    the hash of ``model_path`` when it is the twin of that model file."""
    blob = _encode_trailer(labels, file_sha256(model_path) if model_path else None)

    def write(tmp):
        with open(tmp, "wb") as f:
            f.write(flatbuffer)
            f.write(blob)
            f.write(TRAILER.pack(len(blob), TRAILER_MAGIC))

    atomic_write(path, write)


def save_model_and_twin(model, path: str, labels, to_tflite) -> str:
    """The trained model and its LiteRT twin (``to_tflite(model)``), both atomic, the
    twin stamped with the model file's hash: a run killed between the two leaves a
    twin that no longer belongs to the model, which ``load_with_runtime`` then skips.
    A ``.keras`` path carries ``labels``; other names get the tutorial's HDF5 file.
    Returns the twin's path."""
    flatbuffer = to_tflite(model)   # the slow part, before either file is replaced
    if path.endswith(".keras"):
        save_keras(model, path, labels)
    else:
        save_hdf5(model, path)
    twin = lite_twin_path(path)
    save_tflite(flatbuffer, twin, labels, model_path=path)
    return twin


def restamp(twin: str, model_path: str) -> None:
    """Stamp an existing twin as belonging to ``model_path`` (flatbuffer and labels
    unchanged), for twins written before stamps or copied by hand."""
    blob = _tflite_trailer(twin)
    with open(twin, "rb") as f:
        content = f.read()
    flatbuffer = content if blob is None else content[:len(content) - TRAILER.size - len(blob)]
    save_tflite(flatbuffer, twin, read_labels(twin), model_path=model_path)


def lite_twin_path(path):
    """Where the .tflite copy of a Keras model file belongs: beside it, same stem."""
    stem, ext = os.path.splitext(path)
    return (stem if ext in (".keras", ".h5") else path) + ".tflite"


def lite_twin(path):
    """The .tflite file that sits beside a Keras model file, or None."""
    twin = lite_twin_path(path)
    return twin if os.path.isfile(twin) else None


def _check_twin(twin, path):
    """InputError unless ``twin`` was made from the model file ``path`` as it is now."""
    if read_labels(twin) != read_labels(path):
        raise InputError(f"{twin}: its labels differ from {path}")
    stamp = twin_stamp(twin)
    if stamp is None:
        raise InputError(f"{twin}: not stamped with its model's hash (stamp it with "
                         f"python -m pyimagesearch.models.convert {path} --stamp)")
    if stamp != file_sha256(path):
        raise InputError(f"{twin}: made from another version of {path}")


def load_with_runtime(path, runtime, load_lite, load_keras):
    """The one rule for every model file: a ``.tflite`` runs on LiteRT; a Keras file
    runs on its ``.tflite`` twin when that was made from it (its stamp), has the same
    labels and loads (otherwise a warning, and Keras), unless ``runtime`` ('auto',
    'litert', 'keras') says otherwise."""
    import sys
    if sniff_format(path) == "tflite":
        if runtime == "keras":
            raise InputError(f"{path}: a LiteRT file cannot run on Keras")
        return load_lite(path)
    read_labels(path)   # the model's own labels first: broken ones are one error, not a warning and an error
    twin = lite_twin(path) if runtime != "keras" else None
    if twin:
        try:
            _check_twin(twin, path)
            return load_lite(twin)
        except InputError as e:
            print(f"[WARNING] {e}; using the Keras model", file=sys.stderr)
    if runtime == "litert":
        raise InputError(f"{path}: no usable .tflite copy beside it; convert it with "
                         f"python -m pyimagesearch.models.convert {path}")
    return load_keras(path)
