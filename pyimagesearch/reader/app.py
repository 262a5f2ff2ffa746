"""What ocr_handwriting.py does, as a testable function: load the models once, read
each image, print [INFO] lines or JSON, and show or save the annotated result."""
import json
import os
import sys

from ..errors import EXIT_BAD_INPUT, InputError
from .options import OutputOptions, ReaderOptions


def output_path_for(image_path, output, several):
    """Where an annotated image goes: --output (a folder when several images), or beside the cwd."""
    stem = os.path.splitext(os.path.basename(image_path))[0]
    if output and (several or os.path.isdir(output)):
        os.makedirs(output, exist_ok=True)
        return os.path.join(output, f"{stem}_ocr.png")
    return output or f"{stem}_ocr.png"


def run(image_args, options=ReaderOptions(), output=OutputOptions(), out=sys.stdout, err=sys.stderr):
    """Returns the exit status: 0, or 2 when any input was bad (the others are still read)."""
    from ..io.annotate import annotate, has_display, save, show
    from ..io.image import list_images, load_image
    from .loading import load_reader

    try:
        paths = list_images(image_args)
        print("[INFO] loading handwriting OCR model...", file=err if output.as_json else out)
        reader = load_reader(options, err)
    except InputError as e:
        print(f"[ERROR] {e}", file=err)
        return EXIT_BAD_INPUT

    status, pages = 0, []
    show_windows = output.window and not output.as_json and has_display()
    for path in paths:
        try:
            image = load_image(path)
            page = reader.read(image, path)
        except InputError as e:
            print(f"[ERROR] {e}", file=err)
            status = EXIT_BAD_INPUT
            continue
        pages.append(page.to_dict())
        if output.as_json:
            continue
        for c in page.characters:
            print(f"[INFO] {c.char} - {c.confidence * 100:.2f}%", file=out)
        print(f"[INFO] text of {path}:\n{page.text}", file=out)
        canvas = annotate(image, page)
        if output.output or not show_windows:
            target = output_path_for(path, output.output, len(paths) > 1)
            try:
                print(f"[INFO] annotated image saved to {save(canvas, target)}", file=out)
            except InputError as e:
                print(f"[ERROR] {e}", file=err)
                status = EXIT_BAD_INPUT
        if show_windows:
            show(canvas)
    if output.as_json:
        json.dump(pages, out, indent=1)
        out.write("\n")
    return status
