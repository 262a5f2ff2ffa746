"""Text-line recognition: a CNN + BiLSTM network trained with CTC on whole lines.

Beside the character classifier (``pyimagesearch.models``), this package reads a
cropped line or word in one pass, without segmenting characters:

* ``charset``     the characters the network can write; stored with the model
* ``preprocess``  image -> network input (height 32, white ink on black, [0, 1])
* ``decode``      pure-numpy CTC decoding: greedy, beam search, confidences, spans
* ``recognizer``  load a .keras or .tflite line model and read images with it
* ``elements``    a decoded line -> Line/Word/Character elements in photo pixels
* ``model``       the Keras network, its CTC loss and the LiteRT conversion
* ``language``    the character n-gram language model the beam search can use
* ``strokes``, ``augment``, ``data``  UniPen lines/words -> augmented tf.data batches
* ``font_lines``  lines set in the handwriting fonts (training, and the held-out fonts' test)
* ``workers``     training batches made in worker processes
* ``config``      a training run's settings, checked before TensorFlow is imported
* ``train``, ``lm_build``, ``evaluate``  the training run, its language model and
  the test-writer report (``cli``: the flags the last two share)

Only ``model`` imports Keras (and so TensorFlow) when it is imported; the
others do so inside the functions that need it, and ``charset``,
``preprocess``, ``decode`` and the .tflite path of ``recognizer`` never do.
"""
