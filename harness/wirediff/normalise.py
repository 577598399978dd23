"""Rewrite a text into another outlet's house style.

``normalise(a, to_style=guardian)`` rewrites the wire story A the way the
Guardian's style sheet says: it drops datelines, swaps double for single quotes,
writes "16 May", "the US president, Donald Trump,", "per cent", British spelling,
"said Medinsky" after a quotation and the sheet's preferred variants. Comparing
the result with the outlet's copy then leaves (mostly) the edits house style
does not explain: the residual diff.

Each convention is one pass in :data:`PASSES`, applied in order; a pass whose
sheet setting is ``"any"`` leaves the text alone. Passes re-tokenise the text
they receive, so each can be read (and tested) on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from harness.text import Token, TokenKind, split_sentences, tokenize
from harness.wirediff.frozen import Frozen
from harness.wirediff.lexicon import Lexicon, lexicon
from harness.wirediff.phrases import name_end, parse_date
from harness.wirediff.prepare import fold_key, split_possessive
from harness.wirediff.styles import ANY, StyleSheet

Replacement = tuple[int, int, str]
_CLOSERS = ",.;:!?)]"


def _rewrite(text: str, replacements: Sequence[Replacement]) -> str:
    """Apply non-overlapping replacements (an overlapping one is skipped)."""
    out: list[str] = []
    cursor = 0
    for start, end, new in sorted(replacements):
        if start < cursor:
            continue
        out += [text[cursor:start], new]
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _match_case(word: str, model: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


def _sentence_ends(text: str) -> set[int]:
    return {s.end for s in split_sentences(text)}


def _starts_sentence(text: str, position: int, lex: Lexicon) -> bool:
    """Does a sentence start at ``position``? (After . ! ? , a closing quote after
    one of them, a line break, or the start of the text.)"""
    before = text[:position].rstrip()
    if not before or "\n" in text[len(before) : position]:
        return True
    return before.rstrip("".join(lex.quote_marks))[-1:] in (".", "!", "?", "")


# ------------------------------------------------------------------------ passes


def drop_datelines(text: str, style: StyleSheet, lex: Lexicon) -> str:
    """Remove wire datelines ("ISTANBUL, July 23 (Reuters) - ") when the style has none."""
    if style.datelines:
        return text
    spans = [
        (m.start(), m.end(), "")
        for pattern in lex.boilerplate
        if pattern.category == "dateline"
        for m in pattern.regex.finditer(text)
    ]
    return _rewrite(text, spans)


def _is_dotted_acronym(token: Token) -> bool:
    letters = token.text.replace(".", "")
    return token.text.endswith(".") and token.text.count(".") >= 2 and letters.isalpha() and letters.isupper()


def restyle_abbreviations(text: str, style: StyleSheet, lex: Lexicon) -> str:
    """U.S. <-> US, Mr. <-> Mr, keeping a full stop that also ends a sentence."""
    tokens = tokenize(text)
    ends = _sentence_ends(text)
    out: list[Replacement] = []
    for k, token in enumerate(tokens):
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        glued_stop = nxt is not None and nxt.text == "." and nxt.start == token.end
        if style.acronyms == "plain" and _is_dotted_acronym(token):
            out.append((token.start, token.end, token.text.replace(".", "") + ("." if token.end in ends else "")))
        elif (
            style.acronyms == "dotted"
            and token.text.isupper()
            and token.text.casefold() in lex.dotted_acronyms
        ):
            dotted = ".".join(token.text) + "."
            end = nxt.end if glued_stop and nxt is not None else token.end  # "US." ends a sentence
            out.append((token.start, end, dotted))
        elif token.text.casefold() in lex.honorifics and token.kind is TokenKind.WORD and token.text[:1].isupper():
            if style.honorifics == "plain" and glued_stop and nxt is not None and nxt.end not in ends:
                out.append((token.start, nxt.end, token.text))
            elif style.honorifics == "full-stop" and not glued_stop and nxt is not None and nxt.text[:1].isupper():
                out.append((token.start, token.end, token.text + "."))
    return _rewrite(text, out)


def _literal(replacement: str) -> Callable[[re.Match[str]], str]:
    """A ``re.sub`` replacement taken as plain text (no backslash escapes)."""
    return lambda _match: replacement


def apply_variants(text: str, style: StyleSheet, lex: Lexicon) -> str:
    """The sheet's preferred forms: Zelenskiy -> Zelenskyy, "the West" -> "the west"."""
    for house, others in style.variants:
        for other in others:
            if other == house:
                continue
            words = r"\s+".join(re.escape(w) for w in other.split())
            # A change of case only must not reach into a longer proper name
            # ("the West Bank" keeps its capital).
            guard = r"(?!\s+[A-Z])" if other.casefold() == house.casefold() else ""
            pattern = re.compile(rf"(?<![\w'’]){words}(?!\w){guard}")
            text = pattern.sub(_literal(house), text)
    return text


def restyle_spelling(text: str, style: StyleSheet, lex: Lexicon) -> str:
    """British <-> American spelling (breame's list), except meaning-dependent words."""
    if style.spelling == ANY:
        return text
    convert = lex.american_to_british if style.spelling == "british" else lex.british_to_american
    out: list[Replacement] = []
    for token in tokenize(text):
        if token.kind is not TokenKind.WORD:
            continue
        base, suffix = split_possessive(token.text)
        low = base.casefold()
        if low in lex.ambiguous_spellings:
            continue
        new = convert(low)
        if new != low:
            out.append((token.start, token.start + len(base), _match_case(new, base)))
    return _rewrite(text, out)


@dataclass(frozen=True, slots=True)
class _QuoteMark(Frozen):
    token: Token
    opening: bool
    level: int  # 0 outer, 1 inside another quotation...
    double: bool  # as written


def _quote_marks(text: str, lex: Lexicon) -> list[_QuoteMark]:
    """Quotation marks with their role; apostrophes are left out.

    Straight marks open after a space (or line start, bracket, other quote) and
    close before one. A single mark that closes nothing is an apostrophe
    ("leaders' meeting"). Quotations do not run across line breaks.
    """
    marks: list[_QuoteMark] = []
    open_stack: list[tuple[bool, int]] = []  # (double?, where it opened)
    line = 0
    for token in tokenize(text):
        if token.kind is not TokenKind.PUNCT or token.text not in lex.quote_marks:
            continue
        line_now = text.count("\n", 0, token.start)
        if line_now != line:
            open_stack, line = [], line_now
        before = text[token.start - 1] if token.start else " "
        after = text[token.end] if token.end < len(text) else " "
        double = token.text in lex.double_quotes
        opening = (before.isspace() or before in "([{—–-" or before in lex.quote_marks) and not after.isspace()
        if token.text in "“‘«‹„‚":
            opening = True
        if opening:
            marks.append(_QuoteMark(token, True, len(open_stack), double))
            open_stack.append((double, token.start))
        elif open_stack and open_stack[-1][0] == double and not _plural_possessive(text, token, open_stack[-1][1]):
            open_stack.pop()
            marks.append(_QuoteMark(token, False, len(open_stack), double))
        elif double:
            marks.append(_QuoteMark(token, False, 0, double))
    return marks


def _plural_possessive(text: str, token: Token, opened_at: int) -> bool:
    """Is a single mark after "s" ("employers' associations") an apostrophe?

    It is taken for one when a lower-case word follows and the open quotation
    began in an earlier sentence; a short quotation in the same sentence
    ("the 'hostile acts' continued") closes on it.
    """
    if token.text == "\"" or text[token.start - 1 : token.start] not in ("s", "S"):
        return False
    following = text[token.end : token.end + 2]
    if len(following) < 2 or not following[0].isspace() or not following[1].islower():
        return False
    return any(mark in text[opened_at : token.start] for mark in ".!?")


def restyle_quotes(text: str, style: StyleSheet, lex: Lexicon) -> str:
    """Outer quotes in the primary style, inner in the other; straight or curly."""
    if style.quotes_primary == ANY and style.quotes_typography == ANY:
        return text
    out: list[Replacement] = []
    for mark in _quote_marks(text, lex):
        double = mark.double
        if style.quotes_primary != ANY:
            double = (style.quotes_primary == "double") == (mark.level % 2 == 0)
        curly = mark.token.text in lex.curly_quotes
        if style.quotes_typography != ANY:
            curly = style.quotes_typography == "curly"
        if curly:
            new = ("“" if mark.opening else "”") if double else ("‘" if mark.opening else "’")
        else:
            new = '"' if double else "'"
        if new != mark.token.text:
            out.append((mark.token.start, mark.token.end, new))
    return _rewrite(text, out)


def _month_name(month: int, source: str, style: StyleSheet, lex: Lexicon) -> str:
    full = lex.month_names[month - 1]
    if style.month_names == "full":
        return full
    if style.month_names == "abbreviated" and len(full) > 5:
        shortest = max((name for name, number in lex.months.items() if number == month and name != full.casefold()), key=len)
        return shortest.capitalize() + "."
    return source


def restyle_dates(text: str, style: StyleSheet, lex: Lexicon) -> str:
    """"May 16" <-> "16 May" (and "May 16, 2025" <-> "16 May 2025"), month names."""
    if style.date_order == ANY and style.month_names == ANY:
        return text
    tokens = tokenize(text)
    words = [t.text for t in tokens]
    out: list[Replacement] = []
    k = 0
    while k < len(tokens):
        for width in range(6, 1, -1):
            window = words[k : k + width]
            date = parse_date(window, lex) if len(window) == width else None
            month_token = next((w for w in window if w.casefold() in lex.months), "")
            if date is None or date.value[0] != -1 or not month_token[:1].isupper():
                continue
            if _date_like(words, k - 1, lex) or _date_like(words, k + width, lex):
                break  # "May May 16": which May is the date's? Leave it as written.
            _, month, _, year = date.value
            name = _month_name(month, month_token + ("." if "<Mon.>" in date.pattern else ""), style, lex)
            day_first = date.pattern.startswith("<d") if style.date_order == ANY else style.date_order == "day-month"
            new = f"{date.day_text} {name}" if day_first else f"{name} {date.day_text}"
            if year:
                new += f" {year}" if day_first else f", {year}"
            out.append((tokens[k].start, tokens[k + width - 1].end, new))
            k += width - 1
            break
        k += 1
    return _rewrite(text, out)


def _date_like(words: list[str], index: int, lex: Lexicon) -> bool:
    """Is the token at ``index`` a month name or a day number?"""
    if not 0 <= index < len(words):
        return False
    word = words[index]
    return word.casefold() in lex.months or (word.isdigit() and len(word) <= 2)


_PERCENT = re.compile(r"(?<=\d)(?:\s*%|\s+per\s+cent\b|\s+percent\b)")


def restyle_percent(text: str, style: StyleSheet, lex: Lexicon) -> str:
    """"5%" / "5 percent" / "5 per cent"."""
    if style.percent == ANY:
        return text
    wanted = "%" if style.percent == "%" else f" {style.percent}"
    return _PERCENT.sub(lambda _m: wanted, text)


@dataclass(frozen=True, slots=True)
class _Tokens(Frozen):
    tokens: list[Token]
    texts: list[str]
    keys: list[str]
    is_word: list[bool]

    @staticmethod
    def of(text: str) -> _Tokens:
        tokens = tokenize(text)
        texts = [t.text for t in tokens]
        return _Tokens(tokens, texts, [fold_key(t) for t in texts], [t.is_word for t in tokens])


def _title_start(tk: _Tokens, noun: int, lex: Lexicon) -> int:
    """First word of a prefixed title ending at ``noun``: "Ukraine's President"."""
    start = noun
    while start > 0 and tk.is_word[start - 1] and tk.texts[start - 1][:1].isupper():
        if tk.keys[start - 1] in lex.title_nouns and tk.keys[start - 1] not in lex.title_modifiers:
            break  # the end of an earlier title + name
        start -= 1
        if split_possessive(tk.texts[start])[1]:
            break  # a possessive opens the phrase
    return start


def _to_apposition(text: str, lex: Lexicon) -> str:
    """"U.S. President Donald Trump said" -> "the US president, Donald Trump, said"."""
    tk = _Tokens.of(text)
    out: list[Replacement] = []
    for noun, token in enumerate(tk.tokens):
        if tk.keys[noun] not in lex.formal_titles or not token.text[:1].isupper():
            continue
        end = name_end(tk.texts, tk.is_word, noun + 1, lex)
        name_keys = tk.keys[noun + 1 : end]
        if end == noun + 1 or split_possessive(tk.texts[end - 1])[1] or any(k in lex.title_nouns for k in name_keys):
            continue  # no name, a possessive name, or another title where the name should be
        start = _title_start(tk, noun, lex)
        before = tk.keys[start - 1] if start > 0 else ""
        possessive = bool(split_possessive(tk.texts[start])[1])
        article = "" if possessive or before in lex.no_article_after else "the "
        if article and _starts_sentence(text, tk.tokens[start].start, lex):
            article = "The "
        title = ""
        for i in range(start, noun + 1):
            word = tk.texts[i]
            if i == noun or tk.keys[i] in lex.title_modifiers or tk.keys[i] in lex.formal_titles:
                word = word.lower()
            gap = text[tk.tokens[i].end : tk.tokens[i + 1].start] if i < noun else ""
            title += word + gap
        name = text[tk.tokens[noun + 1].start : tk.tokens[end - 1].end]
        following = text[tk.tokens[end - 1].end :].lstrip()
        closes = not following or following[0] in _CLOSERS or following[0] in lex.quote_marks
        out.append((tk.tokens[start].start, tk.tokens[end - 1].end, f"{article}{title}, {name}{'' if closes else ','}"))
    return _rewrite(text, out)


def _to_prefix(text: str, lex: Lexicon) -> str:
    """"the Russian president, Vladimir Putin, said" -> "Russian President Vladimir Putin said"."""
    tk = _Tokens.of(text)
    out: list[Replacement] = []
    for noun in range(len(tk.tokens) - 2):
        if tk.keys[noun] not in lex.title_nouns or tk.texts[noun + 1] != ",":
            continue
        end = name_end(tk.texts, tk.is_word, noun + 2, lex)
        if end == noun + 2:
            continue
        start = noun
        while start > 0 and tk.is_word[start - 1] and (
            tk.keys[start - 1] in lex.title_modifiers or tk.texts[start - 1][:1].isupper()
        ):
            start -= 1
            if split_possessive(tk.texts[start])[1]:
                break
        formal = tk.keys[noun] in lex.formal_titles
        title = ""
        for i in range(start, noun + 1):
            word = tk.texts[i]
            if formal and (i == noun or tk.keys[i] in lex.title_modifiers):
                word = word[:1].upper() + word[1:]
            title += word + (text[tk.tokens[i].end : tk.tokens[i + 1].start] if i < noun else "")
        name = text[tk.tokens[noun + 2].start : tk.tokens[end - 1].end]
        span_start = tk.tokens[start].start
        if start > 0 and tk.keys[start - 1] == "the":
            span_start = tk.tokens[start - 1].start
            if tk.texts[start - 1][:1].isupper():
                title = title[:1].upper() + title[1:]
        span_end = tk.tokens[end - 1].end
        if end < len(tk.tokens) and tk.texts[end] == "," and end + 1 < len(tk.tokens):
            span_end = tk.tokens[end].end  # the comma closing the apposition
        out.append((span_start, span_end, f"{title} {name}"))
    return _rewrite(text, out)


def restyle_titles(text: str, style: StyleSheet, lex: Lexicon) -> str:
    """Titles before names: apposition ("the US president, Donald Trump,") or prefix."""
    if style.title_style == "apposition":
        return _to_apposition(text, lex)
    if style.title_style == "prefix":
        return _to_prefix(text, lex)
    return text


def restyle_attribution(text: str, style: StyleSheet, lex: Lexicon) -> str:
    """After a quotation: "..., Medinsky said." <-> "..., said Medinsky." (names, not pronouns)."""
    if style.attribution_after_quote == ANY:
        return text
    tk = _Tokens.of(text)
    out: list[Replacement] = []
    for q, token in enumerate(tk.tokens[:-2]):
        after = text[token.end : token.end + 1]
        if token.text not in lex.quote_marks or not after.isspace() or token.start == 0 or text[token.start - 1].isspace():
            continue
        first = q + 1
        if style.attribution_after_quote == "verb-first":
            end = name_end(tk.texts, tk.is_word, first, lex)
            verb = end
        else:
            verb = first
            end = name_end(tk.texts, tk.is_word, first + 1, lex)
        name_start = first if style.attribution_after_quote == "verb-first" else first + 1
        if end <= name_start or verb >= len(tk.tokens) or tk.keys[verb] not in lex.speech_verbs:
            continue  # no name to move (a pronoun, or nothing after the verb)
        last = verb if style.attribution_after_quote == "verb-first" else end - 1
        follower = tk.keys[last + 1] if last + 1 < len(tk.tokens) else ""
        if follower not in (".", ",", ";") and follower not in lex.after_verb:
            continue  # "Smith said the plan..." cannot become "said Smith the plan..."
        if style.attribution_after_quote == "verb-first":
            name = text[tk.tokens[first].start : tk.tokens[end - 1].end]
            new = f"{tk.texts[verb]} {name}"
        else:
            name = text[tk.tokens[first + 1].start : tk.tokens[end - 1].end]
            new = f"{name} {tk.texts[verb]}"
        out.append((tk.tokens[first].start, tk.tokens[last].end, new))
    return _rewrite(text, out)


Pass = Callable[[str, StyleSheet, Lexicon], str]

PASSES: tuple[tuple[str, Pass], ...] = (
    ("datelines", drop_datelines),
    ("abbreviations", restyle_abbreviations),
    ("variants", apply_variants),
    ("spelling", restyle_spelling),
    ("quotes", restyle_quotes),
    ("dates", restyle_dates),
    ("percent", restyle_percent),
    ("attribution", restyle_attribution),
    ("titles", restyle_titles),
    ("attribution_after_titles", restyle_attribution),
)
"""The normaliser's passes, in the order they run. Titles come after
abbreviations, so that "U.S. President" is already "US President" when it is
restyled. Attribution runs on both sides of titles: a prefixed title is part of
a plain name ("Ukrainian President Volodymyr Zelenskiy said"), an apposition is
not, and the title pass turns one into the other."""


def normalise(a_text: str, *, to_style: StyleSheet) -> str:
    """Rewrite ``a_text`` into the house style of ``to_style``."""
    lex = lexicon()
    text = a_text
    for _, apply in PASSES:
        text = apply(text, to_style, lex)
    return text
