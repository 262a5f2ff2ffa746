"""Models: the ResNet character classifier, the runtimes that load it, and the model
files both models use (``store``: formats, labels, atomic writes, stamped LiteRT
twins; ``convert``: Keras -> LiteRT).

Import submodules directly; this package imports nothing heavy.
"""
