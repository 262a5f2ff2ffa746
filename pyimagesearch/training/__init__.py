"""Training: the character classifier's trainer, and what both trainers share
(settings checked before TensorFlow is imported, checkpoints, progress, plots).
The reader never imports this package."""
