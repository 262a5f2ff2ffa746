"""What a training run shows: the loss/accuracy plot and a montage of test predictions."""
import os

import cv2
import numpy as np

from ..io.atomic import atomic_write


def save_plot(history, path):
    """The loss and accuracy curves of ``history`` side by side, written atomically to ``path``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    epochs = np.arange(1, len(history.get("loss", [])) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    for key, ax in (("loss", ax_loss), ("accuracy", ax_acc)):
        for prefix, name in (("", "train"), ("val_", "validation")):
            if prefix + key in history:
                # markers: a run of one epoch is one point, which a line alone does not draw
                ax.plot(epochs, history[prefix + key], marker="o", label=f"{name} {key}")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(key)
        ax.legend()
    fig.suptitle("Training loss and accuracy")
    fig.tight_layout()
    # the format named explicitly: the temporary file's name may not end in the path's extension
    image_format = os.path.splitext(path)[1][1:].lower() or "png"
    try:
        atomic_write(path, lambda tmp: fig.savefig(tmp, format=image_format))
    finally:
        plt.close(fig)


def build_montage(images, truth, predicted, columns=7, tile=96):
    """Test glyphs with their prediction drawn: green when right; red when wrong,
    with the true label in white below it."""
    tiles = []
    for image, t, p in zip(images, truth, predicted):
        tile_img = cv2.cvtColor(cv2.resize(image, (tile, tile), interpolation=cv2.INTER_LINEAR),
                                cv2.COLOR_GRAY2BGR)
        colour = (0, 255, 0) if t == p else (0, 0, 255)
        cv2.putText(tile_img, p, (5, 25), cv2.FONT_HERSHEY_SIMPLEX, 0.9, colour, 2)
        if t != p:
            cv2.putText(tile_img, t, (5, tile - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1)
        tiles.append(tile_img)
    while len(tiles) % columns:
        tiles.append(np.zeros_like(tiles[0]))
    rows = [np.hstack(tiles[i:i + columns]) for i in range(0, len(tiles), columns)]
    return np.vstack(rows)


def show_if_display(title, image):
    """Open a window when there is a screen; training on a server just saves files."""
    if not os.environ.get("DISPLAY"):
        return False
    cv2.imshow(title, image)
    cv2.waitKey(0)
    cv2.destroyAllWindows()
    return True
