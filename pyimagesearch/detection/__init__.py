"""Detection: where the handwriting is on a page (no TensorFlow). ``segment`` finds
character candidates, ``layout`` puts them in reading order and groups lines,
``crops`` cuts a line out of the page's ink."""
