"""The package's shape: no module imports itself back through others (lazy imports count)."""
import os
import sys

from conftest import REPO

sys.path.insert(0, os.path.join(REPO, "tools"))
from import_circles import circles, import_graph  # noqa: E402


def test_no_import_circles():
    assert circles(import_graph(os.path.join(REPO, "pyimagesearch"))) == []


def test_the_counter_finds_a_circle(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from .b import g\n")    # lazy, still a circle
    (package / "b.py").write_text("from . import a\n")
    (package / "c.py").write_text("from .a import f\n")
    assert circles(import_graph(str(package))) == [["pkg.a", "pkg.b"]]


def test_the_counter_says_what_it_cannot_read(tmp_path, capsys):
    from import_circles import main
    assert main([str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.startswith(f"[ERROR] {tmp_path / 'missing'}: not a package folder")
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f(:\n")
    assert main([str(package)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"[ERROR] {package / 'a.py'}:1: not Python") and err.count("\n") == 1
    (package / "a.py").write_text("x = 1\n")
    assert main([str(package)]) == 0
    assert capsys.readouterr().out == "0 import circles\n"
