from .glyph import MODEL_SIDE, glyph_batch, glyphs_to_inputs, normalize_glyph

__all__ = ["MODEL_SIDE", "glyph_batch", "glyphs_to_inputs", "normalize_glyph"]
