"""The reader: what only reading does. ``predictor`` composes the stages; ``characters``
turns the classifier's posteriors into characters, ``lines`` reads whole lines with
the line recognizer and ``auto`` picks between them per line; ``seed`` is the 2020
pipeline; ``options`` and ``loading`` set it up; ``app`` is the command line's work."""
