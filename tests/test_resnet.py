"""The ResNet: the tutorial's size, regularisation everywhere, the named widths."""
import functools

import pytest

keras = pytest.importorskip("keras")

from pyimagesearch.models.architectures import ARCHITECTURES  # noqa: E402
from pyimagesearch.models.resnet import ResNet  # noqa: E402


@functools.lru_cache(maxsize=None)
def build(name, reg=0.0005):
    stages, filters = ARCHITECTURES[name]
    return ResNet.build(32, 32, 1, 36, stages, filters, reg=reg)


def test_tutorial_size():
    model = build("tutorial")
    assert model.count_params() == 327_144
    assert model.input_shape == (None, 32, 32, 1) and model.output_shape == (None, 36)


def test_every_conv_and_dense_is_regularised():
    model = build("tutorial", reg=0.0005)
    weighted = [layer for layer in model.layers
                if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
    # stem + 9 modules x 3 convolutions + 3 projected shortcuts + the classifier
    assert len(weighted) == 1 + 27 + 3 + 1
    for layer in weighted:
        regularizer = layer.kernel_regularizer
        assert regularizer is not None, layer.name
        assert regularizer.get_config()["l2"] == pytest.approx(0.0005), layer.name
    # and the penalty is really part of the loss: one term per regularised kernel
    assert len(model.losses) == len(weighted)


def test_named_widths_are_ordered():
    sizes = {name: build(name).count_params() for name in ARCHITECTURES}
    assert sizes["tutorial"] > sizes["half"] > sizes["quarter"] > sizes["tiny"]
    for name in ARCHITECTURES:
        assert build(name).output_shape == (None, 36)
