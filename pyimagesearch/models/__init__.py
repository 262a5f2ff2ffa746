"""Models: the ResNet character classifier, the runtimes that load it, model
files and their LiteRT twins (``store``, ``convert``).

Import submodules directly; this package imports nothing heavy.
"""
