"""What the generated pages say: public-domain prose and made-up form entries.

``TextSource.line(rng, kind, max_chars)`` gives one line of text of a kind:
``prose`` (a run of words from ``../shared/text``), ``name``, ``street``,
``city`` (city, state and ZIP), ``date``, ``phone``, ``amount``, ``id`` (IDs and
codes), ``digits`` (a run of digits) and ``short`` (a few note words). Everything stays inside ``FONT_CHARS``,
the characters every handwriting font of ``../shared/fonts`` draws (so ``$``,
``%`` and ``@`` never appear: a font would draw a box for them).
"""
import gzip
import os
import re
import string

from ..recognition.charset import SUBSTITUTES

FONT_CHARS = frozenset(string.digits + string.ascii_letters + " .,'-\"!?:;()&/")
TEXT_FILES = ("moby_dick.txt.gz", "state_of_the_union.txt.gz")
KINDS = ("prose", "name", "street", "city", "date", "phone", "amount", "id", "digits", "short")
NUMERIC_KINDS = frozenset({"date", "phone", "amount", "id", "digits"})

FIRST = ("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Susan Richard "
         "Jessica Joseph Sarah Thomas Karen Charles Nancy Daniel Lisa Matthew Betty Anthony Sandra Mark "
         "Ashley Akash Priya Wei Mei Carlos Sofia Ahmed Fatima Olga Ivan Yuki Kenji Amara Kwame Noah Emma "
         "Liam Olivia Lucas Chloe Ethan Zoe").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Wilson "
        "Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker "
        "Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter "
        "Sharma Patel Nguyen Kim Chen Singh Kowalski O'Brien Schmidt Rossi Silva Tanaka").split()
STREETS = ("Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Sunset Lincoln Jackson River Church "
           "Highland Mill Forest Meadow Willow Spring Ridge Valley Chestnut Walnut Franklin Madison").split()
STREET_TYPES = ("Street St. Avenue Ave. Road Rd. Lane Drive Dr. Court Place Blvd. Way").split()
CITIES = ("Springfield Riverside Franklin Greenville Bristol Clinton Fairview Salem Madison Georgetown "
          "Arlington Ashland Dover Oxford Jackson Burlington Manchester Milton Newport Bhopal Dayton "
          "Portland Austin Denver Boston Chicago Seattle Phoenix Columbus").split()
STATES = "AL AK AZ CA CO CT FL GA IL IN KS KY MA MD MI MN MO NC NJ NY OH OR PA TX VA WA WI".split()
MONTHS = ("January February March April May June July August September October November December").split()
SHORT = ("yes no ok done call back urgent notes todo milk eggs bread apples coffee tea meeting monday "
         "friday draft final copy signed paid open closed room office home work list page see above").split()


OTHER_CHARS = re.compile("[^" + re.escape("".join(sorted(FONT_CHARS))) + "]")


def clean(text: str) -> str:
    """``text`` with typographic marks replaced, runs of white space made one
    space and characters outside FONT_CHARS dropped."""
    for old, new in SUBSTITUTES.items():
        text = text.replace(old, new)
    return OTHER_CHARS.sub("", " ".join(text.split()))


def _pick(rng, items):
    return items[int(rng.integers(len(items)))]


def _digits(rng, n):
    return "".join(str(int(d)) for d in rng.integers(0, 10, n))


def name(rng) -> str:
    first, last = _pick(rng, FIRST), _pick(rng, LAST)
    return _pick(rng, (f"{last}, {first}", f"{first[0]}. {last}", f"{first} {last}", f"{first} {last}"))


def street(rng) -> str:
    return f"{int(rng.integers(1, 9999))} {_pick(rng, STREETS)} {_pick(rng, STREET_TYPES)}"


def city(rng) -> str:
    return f"{_pick(rng, CITIES)}, {_pick(rng, STATES)} {_digits(rng, 5 if rng.random() < 0.8 else 6)}"


def date(rng) -> str:
    day, month, year = int(rng.integers(1, 29)), int(rng.integers(1, 13)), int(rng.integers(1930, 2030))
    return _pick(rng, (f"{month:02d}/{day:02d}/{year}", f"{day}.{month}.{year % 100:02d}",
                         f"{MONTHS[month - 1]} {day}, {year}", f"{day} {MONTHS[month - 1][:3]} {year}",
                         f"{year}-{month:02d}-{day:02d}"))


def phone(rng) -> str:
    d = _digits(rng, 11)
    return _pick(rng, (f"({d[:3]}) {d[3:6]}-{d[6:10]}", f"{d[:3]}-{d[3:6]}-{d[6:10]}", d[:10], f"{d[:5]} {d[5:]}"))


def amount(rng) -> str:
    value = float(rng.choice([rng.uniform(0, 100), rng.uniform(0, 10000)]))
    return f"{int(value):,}" if rng.random() < 0.3 else f"{value:.2f}"


def code(rng) -> str:
    letters = "".join(_pick(rng, string.ascii_uppercase) for _ in range(int(rng.integers(1, 4))))
    mixed = "".join(_pick(rng, string.ascii_uppercase + string.digits) for _ in range(int(rng.integers(5, 11))))
    d = _digits(rng, 9)
    return _pick(rng, (letters + d[:int(rng.integers(4, 9))], f"{d[:3]}-{d[3:5]}-{d[5:]}", mixed,
                         f"No. {d[:int(rng.integers(2, 7))]}"))


def digits(rng) -> str:
    """A number as written on a card: one run of 3 to 12 digits, sometimes in groups."""
    d = _digits(rng, int(rng.integers(3, 13)))
    return " ".join(d[k:k + 5] for k in range(0, len(d), 5)) if rng.random() < 0.25 else d


def short(rng) -> str:
    return " ".join(_pick(rng, SHORT) for _ in range(int(rng.integers(1, 4))))


GENERATORS = {"name": name, "street": street, "city": city, "date": date, "phone": phone, "amount": amount,
              "id": code, "digits": digits, "short": short}


class TextSource:
    """Prose from ``text_dir`` (None or missing: the generated kinds stand in for it)."""

    def __init__(self, text_dir=None):
        paragraphs = []
        for file in TEXT_FILES:
            path = os.path.join(text_dir, file) if text_dir else ""
            if os.path.isfile(path):
                with gzip.open(path, "rt", encoding="utf-8") as f:
                    paragraphs += [clean(line) for line in f]
        self.prose = " ".join(p for p in paragraphs if p)

    def words(self, rng, max_chars: int) -> str:
        """A run of whole prose words, at most ``max_chars`` long (at least one word)."""
        if len(self.prose) < 1000:
            return short(rng)[:max_chars]
        start = self.prose.find(" ", int(rng.integers(len(self.prose) - 500))) + 1
        chunk = self.prose[start:start + max(max_chars, 1) + 1]
        cut = chunk.rfind(" ")
        return (chunk[:cut] if cut > 0 else chunk[:max_chars]).strip()

    def line(self, rng, kind: str, max_chars: int, caps: bool = False) -> str:
        """One line of ``kind`` (see KINDS), in block capitals when ``caps``."""
        text = self.words(rng, max_chars) if kind == "prose" else GENERATORS[kind](rng)[:max(max_chars, 4)]
        text = text.strip() or "ok"
        return text.upper() if caps else text
