from .glyph import MODEL_SIDE, normalize_glyph, to_model_input

__all__ = ["MODEL_SIDE", "normalize_glyph", "to_model_input"]
