"""Handwriting OCR toolkit (after PyImageSearch's 2020 tutorial).

Sub-packages are pipeline stages; nothing here imports TensorFlow, so the
reader's fast path stays light.
"""
