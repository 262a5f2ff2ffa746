"""Detection: finding the characters on a page (no TensorFlow)."""
