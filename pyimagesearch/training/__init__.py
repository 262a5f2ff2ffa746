"""Training the character classifier (imports TensorFlow: never used by the reader)."""
