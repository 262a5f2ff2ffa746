from .helpers import load_az_dataset, load_mnist_dataset, load_glyph_npz

__all__ = ["load_az_dataset", "load_mnist_dataset", "load_glyph_npz"]
