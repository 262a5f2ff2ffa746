"""The heading rows of ruled tables. A table's first row holds its printed column
headings, set in small plain type beside the writing in the rows under it, which the
learned detector often takes for neat handwriting; the rule eraser has already found
the table's grid, so where the grid is, the heading row is.

A grid is a mark of the erased rules; its cells, the paper it closes in. Those of the
first row have nothing of the grid above them but their top rule; a ruled page's
margin line and a sheet's edges run on above its first rule, and a squared page's
cells are narrower than a table's columns.
"""
import cv2
import numpy as np

from .ink_levels import ink_level

MIN_COLUMNS = 2           # a table's heading row has at least this many cells, and as many cells under it
MIN_COLUMN_HEIGHTS = 3.0  # ... each at least this many text heights wide
ROW_HEIGHTS = (0.8, 6.0)  # ... and this many text heights tall (rows fit the writing; heights are the print's)
RULE_PIXELS = 4           # a rule is this many working pixels thick at most, or EDGE_HEIGHTS text heights
EDGE_HEIGHTS = 0.5
MIN_GRID_HEIGHTS = (6.0, 2.0)  # a grid's least width and height, in text heights
MAX_GRIDS = 4             # the largest marks of erased rules looked at
JOIN_HEIGHTS = 0.25       # the grid's pieces this many text heights apart are joined


def heading_rows(scan) -> np.ndarray:
    """A boolean map at the scan's size of the heading rows (their cells) of the ruled tables on the page."""
    found = np.zeros(scan.mask.shape, bool)
    if scan.height == 0:
        return found
    level = ink_level(scan.ink)
    if level is None:
        return found
    # the ink over the page's level that the mask lost: the rules, boxes and specks the eraser
    # took. A gap of a fraction of a text height is closed: a faint grid's rules break where
    # its ink fades, and the writing in its cells keeps their crossings
    side = 2 * round(JOIN_HEIGHTS * scan.height / 2) + 1
    erased = cv2.dilate(((scan.ink > level) & (scan.mask == 0)).astype(np.uint8), np.ones((side, side), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(erased, connectivity=8)
    wide, tall = (MIN_GRID_HEIGHTS[0] * scan.height, MIN_GRID_HEIGHTS[1] * scan.height)
    grids = [k for k in range(1, count) if stats[k, 2] >= wide and stats[k, 3] >= tall]
    for k in sorted(grids, key=lambda k: -stats[k, 4])[:MAX_GRIDS]:
        x, y, w, h = stats[k, :4]
        found[y:y + h, x:x + w] |= _heading_row(labels[y:y + h, x:x + w] == k, scan.height, side)
    return found


def _heading_row(grid: np.ndarray, height: float, join: int) -> np.ndarray:
    """The heading row of the boolean mark ``grid`` (cut to its box, its gaps closed by a
    dilation ``join`` pixels wide) when it is a table's grid, else nothing. Its cells
    as tall as a row of writing (ROW_HEIGHTS) and MIN_COLUMN_HEIGHTS text heights wide
    or wider are its rows' cells; those under its top rule (``_under_top_rule``) its
    heading row, when there are MIN_COLUMNS of them or more and as many cells under them."""
    closed = np.pad(grid, 1).astype(np.uint8)
    count, cells, stats, _ = cv2.connectedComponentsWithStats(1 - closed, connectivity=4)
    rows = (stats[:, 3] >= ROW_HEIGHTS[0] * height) & (stats[:, 3] <= ROW_HEIGHTS[1] * height)
    sized = np.flatnonzero(rows & (stats[:, 2] >= MIN_COLUMN_HEIGHTS * height))
    sized = sized[sized != cells[0, 0]]   # the paper round the grid
    runs = _runs_down(closed)
    rule = max(RULE_PIXELS, EDGE_HEIGHTS * height) + join   # the rules, thickened by the join
    row_cells = np.isin(cells, sized)
    top = [k for k in sized if _under_top_rule(cells == k, runs, row_cells, rule)]
    if len(top) < MIN_COLUMNS or len(sized) - len(top) < len(top):
        return np.zeros(grid.shape, bool)
    return np.isin(cells, top)[1:-1, 1:-1]


def _runs_down(grid: np.ndarray) -> np.ndarray:
    """Per pixel, how many of the grid's pixels run down the column to it, itself included."""
    runs = np.zeros(grid.shape, np.int32)
    runs[0] = grid[0]
    for y in range(1, len(grid)):
        runs[y] = (runs[y - 1] + 1) * grid[y]
    return runs


def _under_top_rule(cell: np.ndarray, runs: np.ndarray, row_cells: np.ndarray, rule: float) -> bool:
    """Whether the cell ``cell`` (a boolean map of the padded grid) lies under its grid's
    top rule: across its width, over a rule at most ``rule`` pixels thick, lies no other
    cell of a row (``row_cells``), and the rules at its sides run up no higher than that
    rule (``runs``: ``_runs_down`` of the grid): an upright rule running on above the first
    level one is a margin line or a sheet's edge."""
    columns = np.flatnonzero(cell.any(axis=0))
    tops = cell[:, columns].argmax(axis=0)
    side = int(np.ceil(rule))
    # a cell of a sheet photographed askew meets its slanting side rules in its end columns
    columns, tops = columns[side:len(columns) - side], tops[side:len(columns) - side]
    if len(columns) == 0:
        return False
    # the grid's first row is its padding, never a cell's: there is a row above every cell
    over = runs[tops - 1, columns]
    if np.any(over > rule) or np.any(row_cells[tops - 1 - over, columns]):
        return False
    # the side rules (the columns a rule's width past the cell's end columns), from the cell's top up
    left = runs[tops[0], max(0, columns[0] - 2 * side):max(0, columns[0] - side)]
    right = runs[tops[-1], columns[-1] + side + 1:columns[-1] + 2 * side + 1]
    return not (np.any(left > 2 * rule) or np.any(right > 2 * rule))
