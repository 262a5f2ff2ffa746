"""The handwriting detector network (Keras): a small fully convolutional encoder
with one skip connection, BGR photo (0..255) in, per-cell logits out (see
``learned.OUTPUTS``: handwriting ink, printed text, the page's four quarter turns).

Its input sides must be multiples of ``learned.ALIGN``; its output has one cell
per ``learned.STRIDE`` input pixels. The two first convolutions are plain, the rest
depthwise separable (cheap at read time on LiteRT)."""
import numpy as np

from .learned import ALIGN, OUTPUTS, STRIDE

DEFAULT_FILTERS = (16, 32, 64, 96, 128)


def _block(x, filters, stride=1, separable=True):
    import keras
    from keras import layers
    conv = layers.SeparableConv2D if separable else layers.Conv2D
    x = conv(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return keras.layers.ReLU()(x)


def build_detector(filters: tuple = DEFAULT_FILTERS):
    """The network; ``filters``: channels at strides 2, 4, 8, 16 and 32."""
    import keras
    from keras import layers
    if len(filters) != 5:
        raise ValueError(f"filters: 5 widths (strides 2 to 32), not {filters}")
    f2, f4, f8, f16, f32 = filters
    inputs = keras.Input((None, None, 3), name="photo")
    x = layers.Rescaling(1.0 / 127.5, offset=-1.0)(inputs)
    x = _block(x, f2, 2, separable=False)
    x = _block(x, f4, 2, separable=False)
    x = _block(x, f4)
    x = _block(x, f8, 2)
    x = _block(x, f8)
    at8 = _block(x, f8)
    x = _block(at8, f16, 2)
    x = _block(x, f16)
    x = _block(x, f16)
    x = _block(x, f32, 2)
    x = _block(x, f32)
    x = _block(x, f32)
    # a learned upsampling: the converter loses the channels of UpSampling2D's output
    # when the sides are free, and then cannot convolve it
    x = layers.Conv2DTranspose(f8, 4, strides=4)(x)
    x = layers.Concatenate()([x, at8])
    x = _block(x, f8)
    x = _block(x, f8)
    outputs = layers.Conv2D(len(OUTPUTS), 1, dtype="float32", name="cells")(x)
    return keras.Model(inputs, outputs, name="handwriting_detector")


def detector_loss(y_true, y_pred):
    """``y_true`` (B, h, w, 4): handwriting cell 0/1, printed cell 0/1, the page's
    quarter turn, and 1 where the cell is inside the page (0: padding)."""
    import keras
    from keras import ops
    y_pred = ops.cast(y_pred, "float32")
    hand, printed, turn, valid = (y_true[..., k] for k in range(4))
    bce = keras.losses.binary_crossentropy
    # handwriting and print are small parts of most pages, so their cells weigh more;
    # print taken for handwriting is the costly mistake (it is read as text), so it weighs most
    hand_loss = bce(hand[..., None], y_pred[..., :1], from_logits=True) * (1.0 + 2.0 * hand + 4.0 * printed)
    print_loss = bce(printed[..., None], y_pred[..., 1:2], from_logits=True) * (1.0 + 3.0 * printed)
    turn_loss = keras.losses.sparse_categorical_crossentropy(ops.cast(turn, "int32"), y_pred[..., 2:],
                                                             from_logits=True)
    per_cell = hand_loss + print_loss + 0.2 * turn_loss
    return ops.sum(per_cell * valid) / ops.maximum(ops.sum(valid), 1.0)


def output_shape(height: int, width: int) -> tuple:
    """The cells of an input of ``height`` x ``width`` (multiples of ALIGN)."""
    if height % ALIGN or width % ALIGN:
        raise ValueError(f"input {height}x{width}: sides must be multiples of {ALIGN}")
    return height // STRIDE, width // STRIDE, len(OUTPUTS)


def float32_twin(model, filters: tuple):
    """The same network and weights under float32 (for LiteRT after mixed-precision training)."""
    import keras
    policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("float32")
    try:
        twin = build_detector(filters)
    finally:
        keras.mixed_precision.set_global_policy(policy)
    twin.set_weights([np.asarray(w, np.float32) for w in model.get_weights()])
    return twin


def detector_to_tflite(model) -> bytes:
    """Float32 LiteRT flatbuffer taking one photo of any size (sides multiples of ALIGN):
    (1, H, W, 3). Not ``models.convert.keras_to_tflite``, which feeds a dummy input of
    ``model.input_shape`` (here with free sides)."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2
    model(np.zeros((1, ALIGN, ALIGN, 3), np.float32))   # a loaded model must be called once
    signature = tf.TensorSpec([1, None, None, 3], tf.float32, name="photo")
    function = tf.function(lambda photo: model(photo, training=False), input_signature=[signature])
    # weights frozen into constants: LiteRT then runs builtin (XNNPACK) kernels only
    frozen = convert_variables_to_constants_v2(function.get_concrete_function())
    return tf.lite.TFLiteConverter.from_concrete_functions([frozen], model).convert()
