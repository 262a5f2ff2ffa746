"""Class labels, --charset names, and the character pairs that handwriting cannot tell apart."""
import string

# the 2020 tutorial's 36 classes, in its output order (digits, then A-Z)
TUTORIAL_LABELS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# a digit and a letter that are written the same way by many people
CONFUSABLE_PAIRS = (("0", "O"), ("1", "I"), ("2", "Z"), ("5", "S"))


def merge_confusables(chars):
    """Map each letter of a confusable pair to its digit, so 'O' and '0' compare equal."""
    to_digit = {letter: digit for digit, letter in CONFUSABLE_PAIRS}
    return [to_digit.get(c, c) for c in chars]


# --charset names; each model keeps the characters of a named set that it knows
# (the classifier has only capitals, the line model both cases)
NAMED_CHARSETS = {"digits": string.digits, "letters": string.ascii_letters,
                  "alnum": string.digits + string.ascii_letters}


def charset_chars(charset):
    """The characters a --charset value allows: a name above, or the characters themselves."""
    return NAMED_CHARSETS.get(charset, charset)
