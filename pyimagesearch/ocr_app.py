"""What ocr_handwriting.py does, as a testable function: load the model once, read
each image, print [INFO] lines or JSON, and show or save the annotated result."""
import json
import os
import sys

from .errors import EXIT_BAD_INPUT, InputError


def output_path_for(image_path, output, several):
    """Where an annotated image goes: --output (a folder when several images), or beside the cwd."""
    stem = os.path.splitext(os.path.basename(image_path))[0]
    if output and (several or os.path.isdir(output)):
        os.makedirs(output, exist_ok=True)
        return os.path.join(output, f"{stem}_ocr.png")
    return output or f"{stem}_ocr.png"


def run(image_args, model_path, output=None, as_json=False, charset=None, min_confidence=0.0,
        seed_mode=False, runtime="auto", window=True, out=sys.stdout, err=sys.stderr,
        mode="auto", line_model=None, line_model_explicit=False):
    """Returns the exit status: 0, or 2 when any input was bad (the others are still read).

    ``mode``: 'chars' (the character classifier only), 'lines' (every line read
    whole by the line model at ``line_model``) or 'auto' (per line; 'chars' when
    the line model file is missing). ``seed_mode`` ignores both."""
    from .io.annotate import annotate, has_display, save, show
    from .io.image import list_images, load_image
    from .line_reading import resolve_mode
    from .models.classifier import load_classifier
    from .predictor import HandwritingReader, read_seed_mode

    try:
        paths = list_images(image_args)
        mode, recognizer = resolve_mode("chars" if seed_mode else mode, line_model, runtime,
                                        line_model_explicit, err)
        print("[INFO] loading handwriting OCR model...", file=err if as_json else out)
        classifier = load_classifier(model_path, runtime)
        reader = HandwritingReader(classifier, charset, min_confidence, recognizer, mode)
    except InputError as e:
        print(f"[ERROR] {e}", file=err)
        return EXIT_BAD_INPUT

    status, pages = 0, []
    show_windows = window and not as_json and has_display()
    for path in paths:
        try:
            image = load_image(path)
            page = read_seed_mode(classifier, image, path) if seed_mode else reader.read(image, path)
        except InputError as e:
            print(f"[ERROR] {e}", file=err)
            status = EXIT_BAD_INPUT
            continue
        pages.append(page.to_dict())
        if as_json:
            continue
        for c in page.characters:
            print(f"[INFO] {c.char} - {c.confidence * 100:.2f}%", file=out)
        print(f"[INFO] text of {path}:\n{page.text}", file=out)
        canvas = annotate(image, page)
        if output or not show_windows:
            target = output_path_for(path, output, len(paths) > 1)
            try:
                print(f"[INFO] annotated image saved to {save(canvas, target)}", file=out)
            except InputError as e:
                print(f"[ERROR] {e}", file=err)
                status = EXIT_BAD_INPUT
        if show_windows:
            show(canvas)
    if as_json:
        json.dump(pages, out, indent=1)
        out.write("\n")
    return status
