"""Print the `spelling.distinct_names` list of harness/wirediff/data/lexicon.toml.

Source: the Unicode CLDR English display names, as shipped by Babel: every
ISO 3166-1 territory name (``Locale("en").territories``, two-letter codes) and
every time-zone exemplar city (``Locale("en").time_zones``: capitals and the
largest city of each zone). Each name is split into its capitalised words of
four letters or more. These are real, different names: the general
transliteration rule never calls two of them one name.

Run with Babel installed (a development tool only; the harness reads the list
from the lexicon file):

    python scripts/distinct_names.py
"""

from __future__ import annotations

import re

from babel import Locale, __version__
from babel.core import get_global


def names() -> list[str]:
    en = Locale("en")
    found: set[str] = set()
    # Two-letter codes, less CLDR's pseudo-regions and groupings (not ISO 3166-1 countries).
    skip = {"XA", "XB", "ZZ", "EU", "EZ", "UN", "QO"}
    texts = [name for code, name in en.territories.items() if re.fullmatch(r"[A-Z]{2}", code) and code not in skip]
    zones = sorted(get_global("zone_territories"))
    texts += [en.time_zones.get(zone, {}).get("city", "") or zone.rsplit("/", 1)[-1].replace("_", " ") for zone in zones]
    for text in texts:
        for word in re.findall(r"[^\W\d_][^\W\d_'’.-]*", text):
            if len(word) >= 4 and word[0].isupper() and not word.isupper():
                found.add(word)
    return sorted(found)


if __name__ == "__main__":
    words = names()
    print(f"# {len(words)} names from CLDR via Babel {__version__} (scripts/distinct_names.py)")
    line = "distinct_names = ["
    rows = []
    for word in words:
        item = f'"{word}", '
        if len(line) + len(item) > 100:
            rows.append(line.rstrip())
            line = "    "
        line += item
    rows.append(line.rstrip().rstrip(",") + "]")
    print("\n".join(rows))
