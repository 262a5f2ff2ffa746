"""What ocr_handwriting.py does, as a testable function: load the models once, read
each image, print [INFO] lines or JSON, and show or save the annotated result."""
import sys

from ..errors import EXIT_BAD_INPUT, InputError
from ..io.annotate import annotate, save, with_text_panel
from ..io.image import list_images, load_image
from ..io.outputs import JsonArray, annotation_targets, make_parent
from ..io.window import display_screen, show
from .loading import load_reader
from .options import OutputOptions, ReaderOptions

EXIT_INTERRUPTED = 130


def run(image_args: list[str], options: ReaderOptions = ReaderOptions(), output: OutputOptions = OutputOptions(),
        out=sys.stdout, err=sys.stderr) -> int:
    """Returns the exit status: 0; 2 when any input was bad (the others are still
    read); 130 when interrupted (what was read so far is kept)."""
    try:
        paths = list_images(image_args)
        screen = display_screen() if output.window and not output.as_json else None
        targets = annotation_targets(paths, output.output, fallback=output.window and screen is None)
        print("[INFO] loading handwriting OCR model...", file=err if output.as_json else out)
        reader = load_reader(options, err)
    except InputError as e:
        print(f"[ERROR] {e}", file=err)
        return EXIT_BAD_INPUT
    if output.window and screen is None and not output.as_json and len(paths) > 1 and not output.output:
        print("[INFO] no display: pass -o FOLDER to save the annotated images", file=out)
    results = JsonArray(out) if output.as_json else None
    status = 0
    try:
        for path in paths:
            status = max(status, _read_one(reader, path, targets[path], screen, results, out, err))
    except KeyboardInterrupt:
        print(f"\n[INFO] interrupted: {results.count if results else 'some'} of {len(paths)} images were read",
              file=err)
        status = EXIT_INTERRUPTED
    finally:
        if results is not None:
            results.close()
    return status


def _read_one(reader, path, target, screen, results, out, err):
    """Read one image and report it; returns its exit status (0 or 2)."""
    try:
        image = load_image(path)
        page = reader.read(image, path)
        if results is not None:
            results.add(page.to_dict())
        else:
            for c in page.characters:
                print(f"[INFO] {c.char} - {c.confidence * 100:.2f}%", file=out)
            print(f"[INFO] text of {path}:\n{page.text}", file=out)
        if target is None and screen is None:
            return 0
        canvas = annotate(image, page)
        if target:
            make_parent(target)
            print(f"[INFO] annotated image saved to {save(canvas, target)}", file=err if results else out)
        if screen is not None:
            print("[INFO] press any key in the window (or close it) to go on", file=out)
            show(with_text_panel(canvas, page.text), screen)
    except InputError as e:
        print(f"[ERROR] {e}", file=err)
        return EXIT_BAD_INPUT
    return 0
