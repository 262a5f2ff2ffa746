"""Models: the ResNet character classifier, the runtimes that load it, and the model
files both models use (``store``: formats, labels, atomic writes, LiteRT twins).

Import submodules directly; this package imports nothing heavy.
"""
