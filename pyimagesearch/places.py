"""Where the repository and the shared data beside it (``../shared``) are, whatever
folder a command runs from: declared once for every default that points there."""
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
SHARED_FONTS = os.path.join(SHARED, "fonts")
SHARED_TEXT = os.path.join(SHARED, "text")
