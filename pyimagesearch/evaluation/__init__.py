"""Measuring: the classifier on labelled glyph sets, the reader on labelled photos."""
