"""Models: the ResNet character classifier and the runtimes that load it.

Import submodules directly; this package imports nothing heavy.
"""
