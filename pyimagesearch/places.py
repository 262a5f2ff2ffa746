"""Where the repository and the shared data beside it (``../shared``) are, whatever
folder a command runs from: declared once for every default that points there."""
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
SHARED_DATA = os.path.join(SHARED, "data")
SHARED_LINES = os.path.join(SHARED_DATA, "lines")     # UniPen words and lines
SHARED_UNIPEN = os.path.join(SHARED_DATA, "unipen")   # UniPen single characters
SHARED_FONTS = os.path.join(SHARED, "fonts")
SHARED_TEXT = os.path.join(SHARED, "text")
SHARED_IMAGES_DEV = os.path.join(SHARED, "images-dev")   # development photos with their truth
