"""Which of a page's ink is handwriting, judged on the learned detector's cells
(``learned.DetectorView``): the reader keeps the classic segmenter's ink that lies on
handwriting cells (``keep_handwriting``), so printed labels, rules, grids and
show-through drop out, and a page with no handwriting has nothing left to read.
"""
import cv2
import numpy as np

from .box_rows import is_box_row
from .ink_levels import ink_level, otsu_level
from .learned import HAND_THRESHOLD, DetectorView
from .segment import PageScan
from .tables import heading_rows

# ink this close side by side (text heights) is one word, judged whole as well as by component;
# a word does not keep a component the network is SURE_PRINT sure is print when it is under
# PRINT_BESIDE times as tall as the word's handwritten components (their median): a form's printed
# label written up against the handwriting (d09's "Marital Status:", 0.8-0.98 print, a third as
# tall as the "MARRIED" after it); the network calls some neat handwritten capitals print as surely.
# Nor, of any size, when the network is as sure it is no handwriting (under 1 - SURE_PRINT): a
# label as tall as small writing beside it ("Passport Number:" at 0.9 print, 0.15-0.23 handwriting).
# Nor does it keep one, of any size, whose mean handwriting probability is under NOT_HAND: the
# crossings of a squared page's grid that the rule eraser leaves, which string whole rows into
# one word, and the pieces of a form's printed boxes and labels as tall as the writing
WORD_REACH = 0.75
SURE_PRINT = 0.75
PRINT_BESIDE = 0.6
NOT_HAND = 0.1
# a line of print keeps no mark as tall as its print that the network doubts is handwriting (under
# SURE_HAND_IN_PRINT): d18's small print after a heading, most at 0.50-0.54. At 0.9 it would
# also drop d09's "Did you" (0.85) before a printed question, and handwriting of the labels' size
# on generated forms (docs/detector.md)
LINE_REACH = 3.0
PRINTED_LINE = 0.6
PRINT_HEIGHT = 1.1
SURE_HAND_IN_PRINT = 0.6
# a mark with this share of its ink in a table's heading row (``tables.heading_rows``) is print
IN_HEADING = 0.5
# writing joined to a rule the eraser left (bent or broken; d17's notebook) is kept where it lies on
# handwriting cells, though the mark's mean drops it: a mark LONG_MARK text heights wide or wider
# that is no row of character boxes (``box_rows.is_box_row``)
LONG_MARK = 4.0
# a look finds handwriting when a tenth of the page's ink lies on cells this sure of it; when the
# working look finds none and the smaller one does, the smaller one's cells judge the ink: neat
# writing seen larger than on the training pages can look like print (docs/detector.md)
SURE_HAND = 0.75
SURE_SHARE = 0.1
# writing fainter than the page's print (pale ink or pencil in a table of black rules) is under
# the page's ink level: where the network finds handwriting on at least MIN_HAND_SHARE of the
# page, ink counts from that writing's own level when this is under FAINT_SHARE of the page's
FAINT_SHARE = 0.6
MIN_HAND_SHARE = 0.005


def at_scan_size(scan: PageScan, cells: np.ndarray) -> np.ndarray:
    """A per-cell map of the view at the scan's working size."""
    height, width = scan.mask.shape
    return cv2.resize(cells, (width, height), interpolation=cv2.INTER_LINEAR)


def _label_means(labels, *values):
    """Per label (1..), the mean of each of ``values`` (one per ink pixel) over its ink:
    the handwriting and print probabilities, the share of it in a table's heading row."""
    pixels = np.maximum(np.bincount(labels), 1)
    return tuple(np.bincount(labels, weights=v, minlength=len(pixels)) / pixels for v in values)


def _handwritten(hand_mean, print_mean):
    """Per label: whether its ink lies (on average) on handwriting cells, and more than on printed ones."""
    return (hand_mean >= HAND_THRESHOLD) & (hand_mean > print_mean)


def _sure_print(hand_mean, print_mean):
    """Per label: whether the network is SURE_PRINT sure its ink is print, and more than handwriting."""
    return (print_mean >= SURE_PRINT) & (print_mean > hand_mean)


def _heights(scan: PageScan, labels: int) -> np.ndarray:
    """The heights of the scan's first ``labels`` labels (label 0, the paper, is 0 tall)."""
    heights = np.zeros(labels)   # the stats' row k is label k + 1
    heights[1:] = scan.components[1][:labels - 1, 3]
    return heights


def _group_heights(scan: PageScan, component, group, chosen):
    """(per component label: its height, the label of the group it lies in; per group
    label: the median height of its ``chosen`` components, 0 without any). ``component``
    and ``group``: each ink pixel's labels; ``chosen``: a boolean per component label."""
    heights = _heights(scan, len(chosen))
    group_of = np.zeros(len(chosen), np.int64)
    group_of[component] = group
    median = np.zeros(group.max() + 1)
    for label in np.unique(group_of[chosen]):
        median[label] = np.median(heights[chosen & (group_of == label)])
    return heights, group_of, median


def _small_print_in_words(scan: PageScan, component, word, hand_mean, print_mean):
    """Per ink pixel (its component's and its word's labels; the components' mean
    probabilities): whether its component is surely print (SURE_PRINT) and either under
    PRINT_BESIDE times the median height of its word's handwritten components or as
    surely no handwriting."""
    heights, word_of, word_height = _group_heights(scan, component, word, _handwritten(hand_mean, print_mean))
    small_print = _sure_print(hand_mean, print_mean) & \
        ((heights < PRINT_BESIDE * word_height[word_of]) | (hand_mean < 1 - SURE_PRINT))
    return small_print[component]


def _judging_look(scan: PageScan, view: DetectorView, ink: np.ndarray):
    """The handwriting and print probabilities of the ink pixels ``ink`` (flat
    indices of the scan): the working look's, or its glance's when only the glance
    finds handwriting on the page."""
    def on_ink(look):
        return tuple(at_scan_size(scan, cells).ravel()[ink] for cells in (look.hand, look.printed))

    def finds_handwriting(hand):
        return np.quantile(hand, 1 - SURE_SHARE) >= SURE_HAND

    near = on_ink(view)
    if view.glance is None or finds_handwriting(near[0]):
        return near
    far = on_ink(view.glance)
    return far if finds_handwriting(far[0]) else near


def _word_labels(scan: PageScan, reach: float = WORD_REACH):
    """The page's words, labelled: its ink joined across gaps narrower than
    ``reach`` text heights (and rows a fifth of one apart)."""
    side = (max(1, round(0.2 * scan.height)), max(1, round(reach * scan.height)))
    return cv2.connectedComponents(cv2.dilate(scan.mask, np.ones(side, np.uint8)), connectivity=8)[1]


def _in_printed_lines(scan: PageScan, component, line, hand_mean, print_mean):
    """Per ink pixel (its component's and its line's labels; the components' mean
    probabilities): whether its component lies in a printed line and is no taller
    than the print the network is sure of there (PRINT_HEIGHT times its median
    height), and not SURE_HAND_IN_PRINT handwriting. A line is the ink joined across
    gaps of LINE_REACH text heights; a printed one's ink lies on print cells
    PRINTED_LINE on average, and more than on handwriting cells."""
    line_hand, line_print = _label_means(line, hand_mean[component], print_mean[component])
    printed_line = (line_print >= PRINTED_LINE) & (line_print > line_hand)
    heights, line_of, print_height = _group_heights(scan, component, line, _sure_print(hand_mean, print_mean))
    as_print = printed_line[line_of] & (heights <= PRINT_HEIGHT * print_height[line_of]) \
        & (hand_mean < SURE_HAND_IN_PRINT)
    return as_print[component]


def _writing_on_long_marks(scan: PageScan, component, hand, printed):
    """Per ink pixel (its component's label; its own probabilities): whether it lies
    on a handwriting cell (and more than on a print cell) of a mark LONG_MARK text
    heights wide or wider that is no row of character boxes (``is_box_row``): writing
    joined to rules the eraser left (bent, broken, or strung together by the lines
    of a desk), which the mark's mean would drop whole."""
    labels, stats = scan.components
    long_marks = np.zeros(component.max() + 1, bool)
    for k in np.flatnonzero(stats[:len(long_marks) - 1, 2] >= LONG_MARK * scan.height):
        x, y, w, h = stats[k, :4]
        long_marks[k + 1] = not is_box_row(labels[y:y + h, x:x + w] == k + 1)
    return long_marks[component] & _handwritten(hand, printed)


def with_faint_handwriting(scan: PageScan, view: DetectorView) -> PageScan:
    """``scan`` with the ink of writing fainter than the page's print taken in: on
    the cells the network finds handwriting on, ink counts from the level that
    separates that writing from its paper when it is well under the page's."""
    if np.mean(view.hand >= HAND_THRESHOLD) < MIN_HAND_SHARE:
        return scan
    # the cells' probabilities in 1/255ths, brought to the scan's size as at_scan_size does
    hand = cv2.threshold(at_scan_size(scan, np.round(view.hand * 255).astype(np.uint8)),
                         round(HAND_THRESHOLD * 255) - 1, 1, cv2.THRESH_BINARY)[1]
    # the writing's own level: the rules and print that cross its cells are too few to move it
    page, writing = ink_level(scan.ink), otsu_level(scan.ink, hand)
    if page is None or writing >= FAINT_SHARE * page:
        return scan
    return scan.with_faint_ink(hand > 0, writing)


def keep_handwriting(scan: PageScan, view: DetectorView) -> PageScan:
    """``scan`` with only the ink that lies (on average) on handwriting cells more
    than on printed ones, judged by ink component and by word: a letter the network
    doubts is kept with its word (unless it is sure a small letter is print, or sure a
    mark is no handwriting at all), and a word it doubts keeps the components it is
    sure of; a line of print keeps no mark of its print's size it is unsure of, and
    writing joined to a long rule keeps its pixels on handwriting cells. Writing
    fainter than the page's print is taken in first (``with_faint_handwriting``). The
    cells are the working look's, or the glance's when only the glance finds
    handwriting. Its text height is measured again on what is left (0 when nothing is),
    and the marks taller than a character at that height are cut."""
    scan = with_faint_handwriting(scan, view)
    if scan.height == 0 and scan.mask.any():
        # the specks outweigh the writing: the network's cells tell which ink is writing
        scan = scan.without_specks()
    if scan.height == 0:
        return scan
    # only the ink is judged: the paper is most of the page
    ink = np.flatnonzero(scan.mask)
    hand, printed = _judging_look(scan, view, ink)
    component, word = scan.components[0].ravel()[ink], _word_labels(scan).ravel()[ink]
    component_means = _label_means(component, hand, printed)
    by_component = _handwritten(*component_means)[component]
    by_word = _handwritten(*_label_means(word, hand, printed))[word] & \
        ~_small_print_in_words(scan, component, word, *component_means) & \
        (component_means[0] >= NOT_HAND)[component]
    on_writing = _writing_on_long_marks(scan, component, hand, printed)
    line = _word_labels(scan, LINE_REACH).ravel()[ink]
    in_heading = _label_means(component, heading_rows(scan).ravel()[ink])[0][component] >= IN_HEADING
    kept = ink[(by_component | by_word | on_writing) & ~_in_printed_lines(scan, component, line, *component_means)
               & ~in_heading]
    mask = np.zeros_like(scan.mask)
    mask.ravel()[kept] = scan.mask.ravel()[kept]
    return scan.replaced(mask=mask).with_tall_marks_cut(scan.height)


def kept_share(scan: PageScan, kept: PageScan, box: list) -> float:
    """Of the ink of ``scan`` inside ``box`` ([x, y, w, h] in the photo's pixels),
    the share that ``kept`` (its handwriting, ``keep_handwriting``) holds."""
    x, y, w, h = (v / scan.to_original for v in box)
    rows, cols = slice(int(y), int(np.ceil(y + h))), slice(int(x), int(np.ceil(x + w)))
    ink = np.count_nonzero(scan.mask[rows, cols])
    return np.count_nonzero(kept.mask[rows, cols]) / ink if ink else 1.0
