"""The line recognizer: a small CNN + 2 x BiLSTM, trained with CTC.

Input: (32, W, 1) float32, white ink on black in [0, 1] (``preprocess``), any W.
Output: (W // 4, n + 1) softmax posteriors per frame; class n is the CTC blank.

    (32, W)  conv 16 -> pool 2x2 -> (16, W/2)
             conv 32 -> pool 2x2 -> (8, W/4)
             conv 48 -> pool 2x1 -> (4, W/4)
             conv 64 -> pool 2x1 -> (2, W/4)  -> one frame of 2 x 64 features per 4 columns
             dense 96 -> BiLSTM 96 -> BiLSTM 96 -> dense n+1 softmax
    (each conv 3x3 + batch norm + ReLU; dropout 0.25 between the recurrent layers)

Sized for training on 2 CPU cores (see ``bench/``); the trainer prints the
weight count. These are the defaults (445,636 weights); the shipped model is
the same network wider, ``--filters 32 48 64 96 --lstm-units 128`` (801,716
weights), trained in three stages (README).
"""
import keras
from keras import layers

from .preprocess import HEIGHT


def _conv(x, filters, name):
    # momentum 0.9, not Keras' 0.99: with 0.99 the moving statistics lag so far
    # behind the weights early in a run that inference and training mode read
    # the same batch very differently
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(momentum=0.9, name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def build_line_model(num_classes, filters=(16, 32, 48, 64), lstm_units=96, dropout=0.25):
    """Functional Keras model; ``num_classes`` = len(charset) + 1 (the blank)."""
    f1, f2, f3, f4 = filters
    image = keras.Input((HEIGHT, None, 1), name="image")
    x = _conv(image, f1, "block1")
    x = layers.MaxPooling2D((2, 2), name="block1_pool")(x)
    x = _conv(x, f2, "block2")
    x = layers.MaxPooling2D((2, 2), name="block2_pool")(x)
    x = _conv(x, f3, "block3")
    x = layers.MaxPooling2D((2, 1), name="block3_pool")(x)
    x = _conv(x, f4, "block4")
    x = layers.MaxPooling2D((2, 1), name="block4_pool")(x)
    # (2, W/4, f4) -> one feature vector per column: the CTC frames
    x = layers.Permute((2, 1, 3), name="columns")(x)
    x = layers.Reshape((-1, 2 * f4), name="frames")(x)
    x = layers.Dense(lstm_units, activation="relu", name="frame_dense")(x)
    x = layers.Dropout(dropout, name="frame_dropout")(x)
    x = layers.Bidirectional(layers.LSTM(lstm_units, return_sequences=True), name="bilstm1")(x)
    x = layers.Dropout(dropout, name="bilstm1_dropout")(x)
    x = layers.Bidirectional(layers.LSTM(lstm_units, return_sequences=True), name="bilstm2")(x)
    x = layers.Dropout(dropout, name="bilstm2_dropout")(x)
    posteriors = layers.Dense(num_classes, activation="softmax", name="posteriors")(x)
    return keras.Model(image, posteriors, name="line_recognizer")


@keras.saving.register_keras_serializable(package="pyimagesearch_recognition")
class CTCLoss(keras.losses.Loss):
    """CTC loss of softmax posteriors against padded labels.

    ``y_true``: (B, L) class indices, padded with -1 after each label's end (the
    label lengths are counted from it). Every frame of ``y_pred`` is used: the
    batches are right-padded with background, which the network learns to read
    as blank (batches are bucketed by width, so the padding stays short).
    The blank is the last class."""

    def __init__(self, name="ctc_loss", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        # tf.nn.ctc_loss with sparse labels runs TensorFlow's C++ CTC kernel, whose
        # blank is the last class: faster on CPU than keras.ops.ctc_loss (dense
        # labels, a TensorFlow-graph implementation)
        import tensorflow as tf
        labels = tf.cast(y_true, tf.int32)
        valid = labels >= 0
        sparse = tf.SparseTensor(tf.where(valid), tf.boolean_mask(labels, valid),
                                 tf.cast(tf.shape(labels), tf.int64))
        shape = tf.shape(y_pred)
        logit_length = tf.fill([shape[0]], shape[1])
        log_probs = tf.math.log(tf.clip_by_value(y_pred, 1e-7, 1.0))
        blank = int(y_pred.shape[-1]) - 1
        return tf.nn.ctc_loss(sparse, log_probs, None, logit_length,
                              logits_time_major=False, blank_index=blank)


def compile_line_model(model, learning_rate, total_steps, warmup_steps=None):
    """Adam with a short linear warm-up, then cosine decay to 1% over the run."""
    total_steps = max(int(total_steps), 2)
    warmup = min(500, total_steps // 20) if warmup_steps is None else int(warmup_steps)
    schedule = keras.optimizers.schedules.CosineDecay(
        learning_rate * 0.1 if warmup else learning_rate, decay_steps=max(total_steps - warmup, 1),
        alpha=0.01, warmup_target=learning_rate if warmup else None, warmup_steps=warmup)
    model.compile(optimizer=keras.optimizers.Adam(schedule, clipnorm=5.0), loss=CTCLoss())
    return model


def line_model_to_tflite(model):
    """Float32 LiteRT flatbuffer that takes ONE image of any width: (1, 32, W, 1).

    Not ``models.convert.keras_to_tflite``: that keeps the batch dimension
    dynamic and feeds a dummy input of ``model.input_shape`` (whose width is
    None here). The converter lowers an LSTM with a dynamic batch to TensorList
    ops that LiteRT cannot run ("TensorListReserve requires element_shape to be
    static"), and keeping the weights as variables breaks the WHILE loop at run
    time; a fixed batch of 1 with the weights frozen into constants converts to
    builtin ops, and ``Interpreter.resize_tensor_input(i, [1, 32, W, 1])`` then
    works for any W (checked by the tests on two widths).
    """
    import numpy as np
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    from ..models.convert import quiet_native_output

    model(np.zeros((1, HEIGHT, 64, 1), np.float32))   # a loaded model must be called once
    signature = tf.TensorSpec([1, HEIGHT, None, 1], tf.float32, name="image")
    function = tf.function(lambda image: model(image, training=False), input_signature=[signature])
    with quiet_native_output():
        frozen = convert_variables_to_constants_v2(function.get_concrete_function())
        return tf.lite.TFLiteConverter.from_concrete_functions([frozen], model).convert()
