"""Named ResNet configurations, (stages, filters): data, importable without Keras.

"tutorial" is the 2020 network; the others are narrower or shallower variants.
"""
ARCHITECTURES = {
    "tutorial": ((3, 3, 3), (64, 64, 128, 256)),
    "half": ((3, 3, 3), (32, 32, 64, 128)),
    "quarter": ((3, 3, 3), (16, 16, 32, 64)),
    "tiny": ((1, 1, 1), (8, 8, 16, 32)),
}
