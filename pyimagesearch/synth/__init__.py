"""Generated photos of handwritten pages with exact truth, for training and
measuring a handwriting detector: ``make_page(seed, PageSettings()) -> GeneratedPage``."""
from .pages import GeneratedPage, PageSettings, Sources, make_page, sources_for
from .paper import PAPER_KINDS
from .writing import HandLine

__all__ = ["GeneratedPage", "HandLine", "PAPER_KINDS", "PageSettings", "Sources", "make_page",
           "sources_for"]
