"""The workload a profile-guided build of the diff core counts (``scripts/build_compiled.py``).

Run by the build, in a copy of the package whose compiled library counts its branches
and calls; GCC then builds the library again laid out for what ran here. So the
workload is what a corpus run does with the diff: seeded synthetic news stories
(``benchmarks.bench_diff``: no data from outside the repository, the same counts on
every machine), each compared with restyled and edited copies of itself, every pair
of a story's versions, so that texts are met once and again; some copies carry page
chrome (a byline, a dateline, a photo credit, a promotion) for the chrome pass's
positive paths. The same texts then go through the scorecard's loops that live in the
library's C module (tokens, language identification, Punkt's fast path). It only has to be typical: the counts choose the machine code, never
what it computes.
"""

from __future__ import annotations

import itertools
import random
import sys

STORIES = 40
COPIES = 3
ROUNDS = 2
SEED = 20261206
CHROME = (
    ("By Jane Hollis, Reuters\n\nLONDON (Reuters) - ", "\n\nAdvertisement\n\nRead more: Markets close higher"),
    ("WASHINGTON — ", "\n\n(Reporting by Tom Reed; Editing by Alex Wood)"),
    ("Updated 10:42 GMT, Friday 3 May 2024\n\n", "\n\nPhotograph: Sam Jones/AP\n\nSign up for our newsletter"),
)


def main() -> int:
    import harness
    from benchmarks.bench_diff import STYLES, edited_copy, synthetic_texts
    from harness.text import split_sentences, tokenize
    from harness.text.language import detect_languages
    from harness.text.sentences import clear_sentence_caches
    from harness.wirediff import diff_texts, load_style
    from harness.wirediff.boilerplate import clear_text_caches
    from harness.wirediff.compiled import describe

    if "counting" not in describe():
        print(f"profile training: the counting build is not what loaded ({describe()}, {harness.__file__})")
        return 1
    rng = random.Random(SEED)
    stories = []
    for number, text in enumerate(synthetic_texts(STORIES, rng)):
        copies = [edited_copy(text, rng) for _ in range(COPIES)]
        if number % 2:
            opening, closing = CHROME[number % len(CHROME)]
            copies[0] = opening + copies[0] + closing
        stories.append([text, *copies])
    guardian = load_style("The Guardian", STYLES)
    pairs = 0
    for round_ in range(ROUNDS):  # without style sheets (``harness diff A B``), then as a corpus run has them
        clear_text_caches()
        for versions in stories:
            for a, b in itertools.combinations(versions, 2):
                sheet = guardian if round_ else None
                diff_texts(a, b, a_style=None if a is versions[0] else sheet, b_style=sheet)
                pairs += 1
    # The scorecard's loops in units.c (tokens, language identification's automaton,
    # Punkt's fast path): counted too, so that their code is laid out for use as well.
    texts = [text for versions in stories for text in versions]
    for _ in range(ROUNDS):
        clear_sentence_caches()
        detect_languages(texts)
        for text in texts:
            tokenize(text)
            split_sentences(text)
    print(f"profile training: {pairs} pairs diffed, {len(texts)} texts scored twice ({describe()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
