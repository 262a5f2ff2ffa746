"""The one window: shown only on a display that answers, scaled to fit its screen,
closed by a key or by its close button."""
import ctypes
import ctypes.util
import os
import socket

import cv2

WINDOW = "Handwriting OCR"
SCREEN_SHARE = 0.9          # of the screen's width and height the window may take
FALLBACK_SCREEN = (1024, 768)   # when the screen cannot be measured
X_PORT = 6000


def display_screen() -> tuple[int, int] | None:
    """(width, height) of the X display in $DISPLAY when it answers, else None.
    OpenCV's window opens on X (Qt's xcb), and aborts the process when the display
    is set but gone (a stale ssh -X), so it is asked first."""
    name = os.environ.get("DISPLAY")
    if not name:
        return None
    library = ctypes.util.find_library("X11")
    if library:
        return _x11_screen(library, name)
    return FALLBACK_SCREEN if _x_socket_answers(name) else None


def _x11_screen(library, name):
    x11 = ctypes.cdll.LoadLibrary(library)
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    for function in (x11.XDefaultScreen, x11.XCloseDisplay):
        function.argtypes = [ctypes.c_void_p]
    x11.XDisplayWidth.argtypes = x11.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
    display = x11.XOpenDisplay(name.encode())
    if not display:
        return None
    screen = x11.XDefaultScreen(display)
    size = (x11.XDisplayWidth(display, screen), x11.XDisplayHeight(display, screen))
    x11.XCloseDisplay(display)
    return size


def _x_socket_answers(name, timeout=2.0):
    """Whether the X server of a display name (':0', 'localhost:10.0') accepts a connection."""
    host, _, number = name.rpartition(":")
    number = number.split(".")[0]
    if not number.isdigit():
        return False
    try:
        if host in ("", "unix"):
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(timeout)
                s.connect(f"/tmp/.X11-unix/X{number}")
        else:
            socket.create_connection((host, X_PORT + int(number)), timeout=timeout).close()
    except OSError:
        return False
    return True


def fit(canvas, screen):
    """The canvas scaled down (never up) to fit ``SCREEN_SHARE`` of the screen."""
    height, width = canvas.shape[:2]
    factor = min(1.0, SCREEN_SHARE * screen[0] / width, SCREEN_SHARE * screen[1] / height)
    if factor >= 1.0:
        return canvas
    return cv2.resize(canvas, (max(1, int(width * factor)), max(1, int(height * factor))),
                      interpolation=cv2.INTER_AREA)


def show(canvas, screen, title=WINDOW):
    """One window per image; returns when a key is pressed or the window is closed."""
    # OpenCV's Qt warns about the fonts it does not ship on every window: noise beside our messages
    os.environ.setdefault("QT_LOGGING_RULES", "*=false")
    cv2.imshow(title, fit(canvas, screen))
    try:
        while cv2.waitKey(100) == -1:
            if cv2.getWindowProperty(title, cv2.WND_PROP_VISIBLE) < 1:
                break
        cv2.destroyWindow(title)
        cv2.waitKey(1)
    except cv2.error:   # closed by its close button: OpenCV has already let it go
        pass
