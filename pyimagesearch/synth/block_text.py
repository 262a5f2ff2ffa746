"""What people write by hand in block capitals and digits: form entries (names,
street addresses, city lines with ZIP codes, postcodes like ``B10 5SO``, dates,
amounts, phone numbers, IDs) upper-cased and kept to the characters a
character classifier knows (others become word gaps: ``12/05/1984`` is written
``12 05 1984`` by a reader that knows no ``/``)."""
import re
import string

from .text import GENERATORS, _digits, _pick

BLOCK_CHARS = string.digits + string.ascii_uppercase
FORM_KINDS = ("name", "street", "city", "zip", "postcode", "date", "phone", "amount", "id")


def postcode(rng) -> str:
    """A UK (``B10 5SO``, ``SW1A 2AA``) or Canadian (``K1A 0B1``) postcode."""
    letter = lambda: _pick(rng, string.ascii_uppercase)   # noqa: E731
    if rng.random() < 0.7:
        area = letter() + (letter() if rng.random() < 0.5 else "")
        district = _digits(rng, int(rng.integers(1, 3))) + (letter() if rng.random() < 0.15 else "")
        return f"{area}{district} {_digits(rng, 1)}{letter()}{letter()}"
    return f"{letter()}{_digits(rng, 1)}{letter()} {_digits(rng, 1)}{letter()}{_digits(rng, 1)}"


def zip_code(rng) -> str:
    """A US ZIP (5 or ZIP+4) or a 6-digit PIN code."""
    return _pick(rng, (_digits(rng, 5), _digits(rng, 5), f"{_digits(rng, 5)} {_digits(rng, 4)}", _digits(rng, 6)))


def identifier(rng) -> str:
    """An ID as forms print them: runs of letters and runs of digits (a passport or
    tax number, a licence plate, grouped digits), never letters and digits at random."""
    letters = lambda n: "".join(_pick(rng, string.ascii_uppercase) for _ in range(n))   # noqa: E731
    digits = lambda low, high: _digits(rng, int(rng.integers(low, high + 1)))           # noqa: E731
    return _pick(rng, (letters(int(rng.integers(1, 4))) + digits(5, 9), f"{letters(5)}{digits(4, 4)}{letters(1)}",
                       f"{digits(3, 3)} {digits(2, 2)} {digits(4, 4)}", f"NO {digits(2, 7)}", digits(6, 12),
                       f"{letters(2)} {digits(1, 2)} {letters(1)} {digits(4, 4)}", f"{letters(2)}{digits(2, 2)} {letters(3)}"))


# the page generator's random mixes of letters and digits are left out: they would
# teach the language model that a letter inside a number is as likely as a digit
FORM_GENERATORS = dict(GENERATORS, id=identifier, zip=zip_code, postcode=postcode)


def block(text: str, chars: str = BLOCK_CHARS) -> str:
    """``text`` upper-cased, characters outside ``chars`` made word gaps, gaps one space."""
    return " ".join(re.sub(f"[^{re.escape(chars)}]", " ", text.upper()).split())


def form_entry(rng, kind: str = "", chars: str = BLOCK_CHARS) -> str:
    """One form entry of ``kind`` (any of FORM_KINDS when empty) in block capitals."""
    kind = kind or _pick(rng, FORM_KINDS)
    return block(FORM_GENERATORS[kind](rng), chars) or block(postcode(rng), chars)
