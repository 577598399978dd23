/* The diff's loops in C: the columns of a text's units in one pass (harness.wirediff.
 * prepare's unit path); further down, the words the page-chrome rules read
 * (chrome_words), the similarity's shingle counts (shingle_counts), and discovery's
 * word keys of a text and their hashes (plain_word_keys, plain_word_hashes: the same
 * token scanner), the scorecard's tokens (token_columns: the same scanner), shared shingles
 * of sorted sets (sorted_shared_counts), its MinHash minima (minhash_fill) and
 * shingle hashes (shingle_states), language identification's feature keys
 * (langid_keys), and at the end the sentence-then-word alignment
 * of two prepared texts (align_core).
 *
 * prepare._columns cuts a text into units (the whitespace before a token plus the
 * token: harness.wirediff.tokens' `re` pattern, read by findall), looks every unit up
 * in a memo of its facts, and reads eight columns out of the facts with map and
 * itemgetter. Those passes build and free a list or a tuple per column and per unit:
 * most of the time prepare spends on a token. Here one loop does all of it.
 *
 *     unit_columns(text, joined_marks, memo, limit, compute)
 *         -> (texts, starts, ends, is_word, units, folded, flags, word_folded, word_lowered)
 *            (the last two: the folded and the lowered forms of the words only)
 *
 * Same answer, by construction: the scanner below is the pattern of
 * harness/wirediff/tokens.py (_PLAIN_TOKEN, or _FAST_TOKEN with `joined_marks`),
 * matched as `re` matches it, with `re`'s own character classes for str patterns
 * (\w: Py_UNICODE_ISALNUM or "_", \d: Py_UNICODE_ISDECIMAL, \s: Py_UNICODE_ISSPACE),
 * and the facts come from the same memo and the same Python function. The caller
 * (prepare._columns) sends only the texts that pattern tokenises as written;
 * tests/test_wirediff_speed.py checks that both paths give equal columns.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

/* ASCII first (Python's own ASCII table: the same answer, without four look-ups in the
 * Unicode database per character). */
static inline int is_word(Py_UCS4 c) { return c < 128 ? Py_ISALNUM(c) || c == '_' : Py_UNICODE_ISALNUM(c); }
static inline int is_digit(Py_UCS4 c) { return c < 128 ? c >= '0' && c <= '9' : Py_UNICODE_ISDECIMAL(c); }
/* [^\W\d_]: a word character that is neither a digit nor "_". */
static inline int is_letter(Py_UCS4 c) { return is_word(c) && !is_digit(c) && c != '_'; }
/* The marks join_apostrophes makes an apostrophe between two letters (tokens._JOINED_MARKS). */
static inline int is_joined_mark(Py_UCS4 c) {
    return c == 0x00B4 || c == '`' || c == 0x2032 || c == 0x02BC || c == 0x2018;
}

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t n;
} Text;

static inline Py_UCS4 at(const Text *t, Py_ssize_t i) { return PyUnicode_READ(t->kind, t->data, i); }

/* (?:[^\W\d_]\.){2,}: greedy, nothing after it to satisfy. -1 when it does not match. */
static Py_ssize_t abbreviation(const Text *t, Py_ssize_t p) {
    Py_ssize_t reps = 0;
    while (p + 1 < t->n && is_letter(at(t, p)) && at(t, p + 1) == '.') {
        p += 2;
        reps++;
    }
    return reps >= 2 ? p : -1;
}

static inline Py_ssize_t digits(const Text *t, Py_ssize_t p) {
    while (p < t->n && is_digit(at(t, p))) p++;
    return p;
}

/* \d+(?:[.,]\d+)*(?!\w). Greedy, then backtracking: at the end of every group the
 * lookahead holds; giving digits back always leaves a digit next, which fails it;
 * dropping the last group leaves its "." or "," next, which passes. So: the end of
 * all groups if no word character follows it, else the end of all but the last
 * group, else (no group) no match. */
static Py_ssize_t number(const Text *t, Py_ssize_t p) {
    if (!is_digit(at(t, p))) return -1;
    Py_ssize_t end = digits(t, p), before_last = -1;
    while (end + 1 < t->n) {
        Py_UCS4 c = at(t, end);
        if ((c != '.' && c != ',') || !is_digit(at(t, end + 1))) break;
        before_last = end;
        end = digits(t, end + 1);
    }
    if (end == t->n || !is_word(at(t, end))) return end;
    return before_last;
}

/* \w+(?:(?:['\u2019]|(?<=[^\W\d_])[marks](?=[^\W\d_]))\w+)*, the marks' alternative only
 * with `joined_marks`; greedy, nothing after it to satisfy. */
static Py_ssize_t word(const Text *t, Py_ssize_t p, int joined_marks) {
    while (p < t->n && is_word(at(t, p))) p++;
    while (p + 1 < t->n) {
        Py_UCS4 c = at(t, p), next = at(t, p + 1);
        int joins = (c == '\'' || c == 0x2019) && is_word(next);
        if (!joins && joined_marks) joins = is_joined_mark(c) && is_letter(at(t, p - 1)) && is_letter(next);
        if (!joins) break;
        p++;
        while (p < t->n && is_word(at(t, p))) p++;
    }
    return p;
}

/* Where the token starting at p ends: abbreviation, number or word (in that order, as
 * the pattern's alternatives), or one punctuation character. */
static Py_ssize_t token_end(const Text *t, Py_ssize_t p, int joined_marks) {
    Py_UCS4 c = at(t, p);
    if (!is_word(c)) return p + 1;
    Py_ssize_t end = abbreviation(t, p);
    if (end < 0) end = number(t, p);
    if (end < 0) end = word(t, p, joined_marks);
    return end;
}

typedef struct {
    Py_ssize_t *starts, *ends; /* token start, unit (= token) end */
    Py_ssize_t count, size;
} Spans;

static int spans_add(Spans *s, Py_ssize_t start, Py_ssize_t end) {
    if (s->count == s->size) {
        Py_ssize_t size = s->size ? 2 * s->size : 256;
        Py_ssize_t *starts = PyMem_Realloc(s->starts, size * sizeof(Py_ssize_t));
        if (starts == NULL) return -1;
        s->starts = starts;
        Py_ssize_t *ends = PyMem_Realloc(s->ends, size * sizeof(Py_ssize_t));
        if (ends == NULL) return -1;
        s->ends = ends;
        s->size = size;
    }
    s->starts[s->count] = start;
    s->ends[s->count] = end;
    s->count++;
    return 0;
}

/* Every unit of the text: findall's matches of \s*(?:token), which tile the text
 * but for the whitespace after the last token. */
static int scan(const Text *t, int joined_marks, Spans *out) {
    Py_ssize_t i = 0;
    while (i < t->n) {
        Py_ssize_t start = i;
        while (start < t->n && Py_UNICODE_ISSPACE(at(t, start))) start++;
        if (start == t->n) break;
        Py_ssize_t end = token_end(t, start, joined_marks);
        if (spans_add(out, start, end) < 0) return -1;
        i = end;
    }
    return 0;
}

enum { FACT_TOKEN, FACT_LENGTH, FACT_WORD, FACT_KEY, FACT_FLAGS, FACT_LOWERED, FACT_FIELDS };
enum { COL_TEXTS, COL_STARTS, COL_ENDS, COL_WORD, COL_UNITS, COL_FOLDED, COL_FLAGS,
       COL_WORD_FOLDED, COL_WORD_LOWERED, COLUMNS }; /* the last two: of the word tokens only */

/* The unit's facts (a borrowed reference): from the memo, or computed and remembered
 * (past `limit` entries the memo starts afresh, as prepare._remembered does). */
static PyObject *fact_of(PyObject *unit, PyObject *memo, Py_ssize_t limit, PyObject *compute) {
    PyObject *fact = PyDict_GetItemWithError(memo, unit);
    if (fact != NULL || PyErr_Occurred()) return fact;
    PyObject *made = PyObject_CallOneArg(compute, unit);
    if (made == NULL) return NULL;
    if (!PyTuple_CheckExact(made) || PyTuple_GET_SIZE(made) != FACT_FIELDS) {
        Py_DECREF(made);
        PyErr_SetString(PyExc_TypeError, "unit_columns: compute must return a tuple of 6 facts");
        return NULL;
    }
    if (PyDict_GET_SIZE(memo) > limit) PyDict_Clear(memo);
    int failed = PyDict_SetItem(memo, unit, made);
    Py_DECREF(made); /* the memo holds it */
    return failed ? NULL : made;
}

/* Units seen before, found by their characters in the text: (unit, facts) of memo entries.
 *
 * A unit looked up in the memo is first a new string (an allocation and a copy, freed
 * with the text) and then a SipHash of it: most of what a token cost here. Copies of
 * one story, and news in general, repeat their units (" the", " said", ","), so this
 * table finds a unit by a cheap hash of the text's own characters and hands back the
 * memo's key and value: no string is made, none hashed, and a text's units column
 * points at strings that already exist.
 *
 * It only ever holds what the memo holds (a view, not a second record): it is emptied
 * whenever the memo may have lost entries (the memo is emptied at its limit, is found
 * empty, or is another dict), so a fact is never served that the memo would not give. */
typedef struct {
    uint64_t hash;
    PyObject *unit, *fact; /* strong references; unit NULL: an empty slot */
    /* The fact's fields (borrowed: the fact holds them), so that a unit found here costs
     * no read of its fact tuple, which lies elsewhere in memory: a cache miss per
     * distinct unit of a text, on the path every token takes. */
    PyObject *token, *key, *lowered, *flags, *is_word;
} SeenUnit; /* 64 bytes: a probe, and what a found unit gives, read from one cache line */

typedef struct {
    SeenUnit *slots;
    size_t capacity, count;
    PyObject *memo; /* the memo this is a view of (a reference: its address is never another dict's) */
} Seen;

static Seen seen = {NULL, 0, 0, NULL};

static void seen_clear(void) {
    for (size_t i = 0; i < seen.capacity; i++) {
        if (seen.slots[i].unit != NULL) {
            Py_CLEAR(seen.slots[i].unit);
            Py_CLEAR(seen.slots[i].fact);
        }
    }
    seen.count = 0;
}

/* FNV-1a over the code points (not the bytes: a unit of a UCS-2 text may be stored as
 * Latin-1 once it is a string of its own, and must hash the same). */
static uint64_t chars_hash(int kind, const void *data, Py_ssize_t lo, Py_ssize_t hi) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (Py_ssize_t i = lo; i < hi; i++) {
        h ^= PyUnicode_READ(kind, data, i);
        h *= 0x100000001b3ULL;
    }
    return h ^ (uint64_t)(hi - lo);
}

static int same_chars(PyObject *unit, const Text *t, Py_ssize_t lo, Py_ssize_t hi) {
    Py_ssize_t n = hi - lo;
    if (PyUnicode_GET_LENGTH(unit) != n) return 0;
    int kind = PyUnicode_KIND(unit);
    const void *data = PyUnicode_DATA(unit);
    if (kind == t->kind) return memcmp(data, (const char *)t->data + lo * kind, (size_t)(n * kind)) == 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyUnicode_READ(kind, data, i) != at(t, lo + i)) return 0;
    }
    return 1;
}

/* The slot of text[lo:hi] (hash h): where it is, or the empty slot it would take. */
static size_t seen_slot(const Text *t, Py_ssize_t lo, Py_ssize_t hi, uint64_t h) {
    size_t mask = seen.capacity - 1, i = (size_t)(h ^ (h >> 29)) & mask;
    while (seen.slots[i].unit != NULL && !(seen.slots[i].hash == h && same_chars(seen.slots[i].unit, t, lo, hi))) {
        i = (i + 1) & mask;
    }
    return i;
}

static int seen_grow(void) {
    size_t capacity = seen.capacity ? 2 * seen.capacity : 4096;
    SeenUnit *slots = PyMem_Calloc(capacity, sizeof(SeenUnit));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < seen.capacity; i++) {
        if (seen.slots[i].unit == NULL) continue;
        size_t j = (size_t)(seen.slots[i].hash ^ (seen.slots[i].hash >> 29)) & (capacity - 1);
        while (slots[j].unit != NULL) j = (j + 1) & (capacity - 1);
        slots[j] = seen.slots[i];
    }
    PyMem_Free(seen.slots);
    seen.slots = slots;
    seen.capacity = capacity;
    return 0;
}

/* The unit text[lo:hi] and its facts, both borrowed (the table or the memo holds them). */
static const SeenUnit *seen_unit(PyObject *text, const Text *t, Py_ssize_t lo, Py_ssize_t hi, PyObject *memo,
                                  Py_ssize_t limit, PyObject *compute) {
    if (seen.memo != memo || PyDict_GET_SIZE(memo) == 0) {
        seen_clear();
        Py_INCREF(memo);
        Py_XSETREF(seen.memo, memo);
    }
    if (seen.capacity == 0 && seen_grow() < 0) return NULL;
    uint64_t h = chars_hash(t->kind, t->data, lo, hi);
    size_t slot = seen_slot(t, lo, hi, h);
    if (seen.slots[slot].unit != NULL) return &seen.slots[slot];
    PyObject *made = PyUnicode_Substring(text, lo, hi);
    if (made == NULL) return NULL;
    Py_ssize_t before = PyDict_GET_SIZE(memo);
    PyObject *found = fact_of(made, memo, limit, compute);
    if (found != NULL && (!PyTuple_CheckExact(found) || PyTuple_GET_SIZE(found) != FACT_FIELDS)) {
        PyErr_SetString(PyExc_TypeError, "unit_columns: a memo entry is not a tuple of 6 facts");
        found = NULL;
    }
    if (found == NULL) {
        Py_DECREF(made);
        return NULL;
    }
    if (PyDict_GET_SIZE(memo) < before) seen_clear(); /* the memo started afresh */
    if ((Py_ssize_t)seen.count >= limit) seen_clear(); /* bounded, as the memo is */
    if (2 * (seen.count + 1) > seen.capacity) {
        if (seen_grow() < 0) {
            Py_DECREF(made);
            return NULL;
        }
    }
    SeenUnit *entry = &seen.slots[seen_slot(t, lo, hi, h)];
    entry->hash = h;
    entry->unit = made; /* the table takes the new reference */
    entry->fact = Py_NewRef(found);
    entry->token = PyTuple_GET_ITEM(found, FACT_TOKEN);
    entry->key = PyTuple_GET_ITEM(found, FACT_KEY);
    entry->lowered = PyTuple_GET_ITEM(found, FACT_LOWERED);
    entry->flags = PyTuple_GET_ITEM(found, FACT_FLAGS);
    entry->is_word = PyTuple_GET_ITEM(found, FACT_WORD);
    seen.count++;
    return entry;
}

/* Offsets as shared int objects: a text's start and end columns hold two ints per token,
 * nearly all above CPython's small-int cache (256), so each was an allocation, and a free
 * when the text went. Offsets below OFFSET_CACHE are made once per process and shared
 * (ints are immutable: a shared one is indistinguishable from a new one). */
#define OFFSET_CACHE (1 << 15)
static PyObject *offsets[OFFSET_CACHE];

static inline PyObject *offset_int(Py_ssize_t value) {
    if (value < 0 || value >= OFFSET_CACHE) return PyLong_FromSsize_t(value);
    PyObject *found = offsets[value];
    if (found == NULL) {
        found = PyLong_FromSsize_t(value);
        if (found == NULL) return NULL;
        offsets[value] = found; /* the table keeps this reference for the process's life */
    }
    return Py_NewRef(found);
}

/* Append (lo, hi) to the list `out`, as shared offset ints. 0, or -1 on an error. */
static int append_pair(PyObject *out, Py_ssize_t lo, Py_ssize_t hi) {
    PyObject *a = offset_int(lo), *b = a ? offset_int(hi) : NULL;
    PyObject *pair = b ? PyTuple_Pack(2, a, b) : NULL;
    Py_XDECREF(a);
    Py_XDECREF(b);
    if (pair == NULL) return -1;
    int failed = PyList_Append(out, pair);
    Py_DECREF(pair);
    return failed;
}

static PyObject *columns_of(PyObject *text, const Text *t, const Spans *spans, PyObject *memo, Py_ssize_t limit, PyObject *compute) {
    Py_ssize_t n = spans->count;
    PyObject *columns[COLUMNS] = {NULL};
    Py_ssize_t words = 0;
    for (int c = 0; c < COLUMNS; c++) {
        columns[c] = c == COL_FLAGS ? PyList_New(n) : PyTuple_New(n);
        if (columns[c] == NULL) goto fail;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t start = spans->starts[k], end = spans->ends[k];
        const SeenUnit *u = seen_unit(text, t, k ? spans->ends[k - 1] : 0, end, memo, limit, compute);
        if (u == NULL) goto fail;
        PyTuple_SET_ITEM(columns[COL_UNITS], k, Py_NewRef(u->unit));
        PyObject *starts = offset_int(start), *ends = offset_int(end);
        if (starts == NULL || ends == NULL) {
            Py_XDECREF(starts);
            Py_XDECREF(ends);
            goto fail;
        }
        PyTuple_SET_ITEM(columns[COL_STARTS], k, starts);
        PyTuple_SET_ITEM(columns[COL_ENDS], k, ends);
        PyTuple_SET_ITEM(columns[COL_TEXTS], k, Py_NewRef(u->token));
        PyTuple_SET_ITEM(columns[COL_WORD], k, Py_NewRef(u->is_word));
        PyTuple_SET_ITEM(columns[COL_FOLDED], k, Py_NewRef(u->key));
        PyList_SET_ITEM(columns[COL_FLAGS], k, Py_NewRef(u->flags));
        if (u->is_word == Py_True) {
            PyTuple_SET_ITEM(columns[COL_WORD_FOLDED], words, Py_NewRef(u->key));
            PyTuple_SET_ITEM(columns[COL_WORD_LOWERED], words, Py_NewRef(u->lowered));
            words++;
        }
    }
    /* Sized for every token, cut to the words (the tuples are this loop's alone). */
    if (_PyTuple_Resize(&columns[COL_WORD_FOLDED], words) < 0) goto fail;
    if (_PyTuple_Resize(&columns[COL_WORD_LOWERED], words) < 0) goto fail;
    PyObject *result = PyTuple_New(COLUMNS);
    if (result == NULL) goto fail;
    for (int c = 0; c < COLUMNS; c++) PyTuple_SET_ITEM(result, c, columns[c]);
    return result;
fail:
    /* Slots not yet filled are NULL, which tuple and list deallocation skip. */
    for (int c = 0; c < COLUMNS; c++) Py_XDECREF(columns[c]);
    return NULL;
}

static PyObject *unit_columns(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "unit_columns(text, joined_marks, memo, limit, compute)");
        return NULL;
    }
    PyObject *text = args[0], *memo = args[2], *compute = args[4];
    if (!PyUnicode_Check(text) || !PyDict_CheckExact(memo) || !PyCallable_Check(compute)) {
        PyErr_SetString(PyExc_TypeError, "unit_columns: text must be a str, memo a dict, compute callable");
        return NULL;
    }
    int joined_marks = PyObject_IsTrue(args[1]);
    Py_ssize_t limit = PyLong_AsSsize_t(args[3]);
    if (joined_marks < 0 || (limit == -1 && PyErr_Occurred())) return NULL;
    if (PyUnicode_READY(text) < 0) return NULL;
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    Spans spans = {NULL, NULL, 0, 0};
    PyObject *result = scan(&t, joined_marks, &spans) < 0 ? PyErr_NoMemory()
                                                          : columns_of(text, &t, &spans, memo, limit, compute);
    PyMem_Free(spans.starts);
    PyMem_Free(spans.ends);
    return result;
}

/* The page-chrome rules' words (harness.wirediff.boilerplate._WORD, read by findall):
 * [^\W_]+(?:[.:/'\u2019\-][^\W_]+)*\.?  where [^\W_] is a word character but "_", which for
 * str patterns is Py_UNICODE_ISALNUM. Greedy with nothing after it that can fail, so no
 * backtracking: a separator joins only when a word character follows it, and the last
 * "." is taken when none does. A match can only start at a word character, and it
 * ends where no word character follows, so findall's next match starts at the next one. */
static inline int is_alnum(Py_UCS4 c) { return c < 128 ? Py_ISALNUM(c) : Py_UNICODE_ISALNUM(c); }
static inline int is_word_joiner(Py_UCS4 c) {
    return c == '.' || c == ':' || c == '/' || c == '\'' || c == 0x2019 || c == '-';
}

/* `text` as a Text to scan, or -1 (a TypeError naming `function`) when it is not a str. */
static int text_of(PyObject *text, const char *function, Text *out) {
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "%s: text must be a str", function);
        return -1;
    }
    if (PyUnicode_READY(text) < 0) return -1;
    *out = (Text){PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    return 0;
}

/* The end of the chrome word that starts at i (an alphanumeric character). */
static Py_ssize_t chrome_word_end(const Text *t, Py_ssize_t i) {
    while (i < t->n && is_alnum(at(t, i))) i++;
    while (i + 1 < t->n && is_word_joiner(at(t, i)) && is_alnum(at(t, i + 1))) {
        i++;
        while (i < t->n && is_alnum(at(t, i))) i++;
    }
    if (i < t->n && at(t, i) == '.') i++;
    return i;
}

/* boilerplate._words(text[start:end])'s length, counted up to `limit` (a text with more
 * words gives limit): the furniture pass only asks whether a segment is short, and most
 * paragraphs are not, so neither their words nor the rest of their text is read. The
 * span (the whole text when not given) is read in place, as the slice would be: no
 * word runs past `end`. */
static PyObject *chrome_word_count(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    Text t;
    if ((nargs != 2 && nargs != 4) || !PyLong_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "chrome_word_count(text, limit[, start, end])");
        return NULL;
    }
    if (text_of(args[0], "chrome_word_count", &t) < 0) return NULL;
    Py_ssize_t limit = PyLong_AsSsize_t(args[1]), count = 0, i = 0;
    if (limit == -1 && PyErr_Occurred()) return NULL;
    if (nargs == 4) {
        if (!PyLong_Check(args[2]) || !PyLong_Check(args[3])) {
            PyErr_SetString(PyExc_TypeError, "chrome_word_count: start and end must be int");
            return NULL;
        }
        Py_ssize_t start = PyLong_AsSsize_t(args[2]), end = PyLong_AsSsize_t(args[3]);
        if ((start == -1 || end == -1) && PyErr_Occurred()) return NULL;
        if (start < 0 || end < start || end > t.n) {
            PyErr_SetString(PyExc_ValueError, "chrome_word_count: need 0 <= start <= end <= len(text)");
            return NULL;
        }
        i = start;
        t.n = end;
    }
    while (i < t.n && count < limit) {
        if (!is_alnum(at(&t, i))) {
            i++;
            continue;
        }
        i = chrome_word_end(&t, i);
        count++;
    }
    return PyLong_FromSsize_t(count);
}

static PyObject *chrome_words(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    Text t;
    if ((nargs != 1 && nargs != 2) || (nargs == 2 && !PyLong_Check(args[1]))) {
        PyErr_SetString(PyExc_TypeError, "chrome_words(text[, limit])");
        return NULL;
    }
    PyObject *text = args[0];
    if (text_of(text, "chrome_words", &t) < 0) return NULL;
    /* With a limit, the first `limit` words only: running text is told by its first
     * words, and the rest of it is not read. */
    Py_ssize_t limit = PY_SSIZE_T_MAX;
    if (nargs == 2) {
        limit = PyLong_AsSsize_t(args[1]);
        if (limit == -1 && PyErr_Occurred()) return NULL;
        if (limit < 0) {
            PyErr_SetString(PyExc_ValueError, "chrome_words: the limit must not be negative");
            return NULL;
        }
    }
    PyObject *words = PyList_New(0);
    if (words == NULL) return NULL;
    Py_ssize_t i = 0;
    while (i < t.n && PyList_GET_SIZE(words) < limit) {
        if (!is_alnum(at(&t, i))) {
            i++;
            continue;
        }
        Py_ssize_t start = i;
        i = chrome_word_end(&t, i);
        PyObject *word = PyUnicode_Substring(text, start, i);
        if (word == NULL || PyList_Append(words, word) < 0) {
            Py_XDECREF(word);
            Py_DECREF(words);
            return NULL;
        }
        Py_DECREF(word);
    }
    return words;
}

/* similarity.shingle_counts: the distinct word n-grams of A, of B, and those in both,
 * as len(set(zip(...))) of each and of their intersection would count them. Each n-gram
 * is a run of `size` items, hashed from the items' own hashes; equal hashes are
 * compared item by item (==), so a collision costs time, never a count. */
typedef struct {
    PyObject **items;
    Py_ssize_t grams;
    Py_uhash_t *hashes;
} Grams;

static int grams_of(PyObject *sequence, Py_ssize_t size, Grams *out) {
    Py_ssize_t n = PyTuple_GET_SIZE(sequence);
    out->items = &PyTuple_GET_ITEM(sequence, 0);
    out->grams = n >= size ? n - size + 1 : 0;
    out->hashes = NULL;
    if (out->grams == 0) return 0;
    Py_uhash_t *item_hashes = PyMem_Malloc(n * sizeof(Py_uhash_t));
    out->hashes = PyMem_Malloc(out->grams * sizeof(Py_uhash_t));
    if (item_hashes == NULL || out->hashes == NULL) {
        PyMem_Free(item_hashes);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_hash_t h = PyObject_Hash(out->items[i]);
        if (h == -1 && PyErr_Occurred()) {
            PyMem_Free(item_hashes);
            return -1;
        }
        item_hashes[i] = (Py_uhash_t)h;
    }
    for (Py_ssize_t i = 0; i < out->grams; i++) {
        uint64_t x = 0x9E3779B97F4A7C15ULL;
        for (Py_ssize_t k = 0; k < size; k++) x = (x ^ item_hashes[i + k]) * 0x100000001B3ULL + (uint64_t)k;
        x ^= x >> 33; /* murmur3's finaliser: every bit of every item reaches the table index */
        x *= 0xFF51AFD7ED558CCDULL;
        x ^= x >> 33;
        out->hashes[i] = (Py_uhash_t)x;
    }
    PyMem_Free(item_hashes);
    return 0;
}

/* 1 when gram i of `a` equals gram j of `b`, 0 when not, -1 on an error of ==. */
static int same_gram(const Grams *a, Py_ssize_t i, const Grams *b, Py_ssize_t j, Py_ssize_t size) {
    if (a->hashes[i] != b->hashes[j]) return 0;
    for (Py_ssize_t k = 0; k < size; k++) {
        PyObject *x = a->items[i + k], *y = b->items[j + k];
        if (x == y) continue;
        int equal = PyObject_RichCompareBool(x, y, Py_EQ);
        if (equal <= 0) return equal;
    }
    return 1;
}

typedef struct {
    Py_ssize_t *slots; /* a gram's index + 1; 0: empty */
    size_t mask;
} Table;

static int table_new(Table *t, Py_ssize_t grams) {
    size_t capacity = 8;
    while (capacity < 2 * (size_t)grams) capacity <<= 1; /* at most half full */
    t->mask = capacity - 1;
    t->slots = PyMem_Calloc(capacity, sizeof(Py_ssize_t));
    if (t->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* Find gram j of `g` in table `t` of grams of `owner`: 1 found, 0 not (and `*slot` is
 * the empty slot where it goes), -1 on an error. */
static int table_find(const Table *t, const Grams *owner, const Grams *g, Py_ssize_t j, Py_ssize_t size, size_t *slot) {
    size_t at = g->hashes[j] & t->mask;
    while (t->slots[at]) {
        int same = same_gram(owner, t->slots[at] - 1, g, j, size);
        if (same != 0) return same;
        at = (at + 1) & t->mask;
    }
    *slot = at;
    return 0;
}

static PyObject *count_grams(PyObject *a_seq, PyObject *b_seq, Py_ssize_t size) {
    Grams a = {0}, b = {0};
    Table ta = {NULL, 0}, tb = {NULL, 0};
    Py_ssize_t a_count = 0, b_count = 0, shared = 0;
    PyObject *result = NULL;
    if (grams_of(a_seq, size, &a) < 0 || grams_of(b_seq, size, &b) < 0) goto done;
    if (table_new(&ta, a.grams) < 0 || table_new(&tb, b.grams) < 0) goto done;
    for (Py_ssize_t i = 0; i < a.grams; i++) {
        size_t slot;
        int found = table_find(&ta, &a, &a, i, size, &slot);
        if (found < 0) goto done;
        if (!found) {
            ta.slots[slot] = i + 1;
            a_count++;
        }
    }
    for (Py_ssize_t j = 0; j < b.grams; j++) {
        size_t slot, unused;
        int found = table_find(&tb, &b, &b, j, size, &slot);
        if (found < 0) goto done;
        if (found) continue;
        tb.slots[slot] = j + 1;
        b_count++;
        int in_a = a.grams ? table_find(&ta, &a, &b, j, size, &unused) : 0;
        if (in_a < 0) goto done;
        shared += in_a;
    }
    result = Py_BuildValue("(nnn)", a_count, b_count, shared);
done:
    PyMem_Free(a.hashes);
    PyMem_Free(b.hashes);
    PyMem_Free(ta.slots);
    PyMem_Free(tb.slots);
    return result;
}

/* The n-gram size of a call `name(a_words, b_words, size)`: -1 with an error set when the
 * arguments are not that. */
static Py_ssize_t gram_size(const char *name, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3) {
        PyErr_Format(PyExc_TypeError, "%s(a_words, b_words, size)", name);
        return -1;
    }
    Py_ssize_t size = PyLong_AsSsize_t(args[2]);
    if (size == -1 && PyErr_Occurred()) return -1;
    if (size < 1) {
        PyErr_Format(PyExc_ValueError, "%s: size must be at least 1", name);
        return -1;
    }
    return size;
}

static PyObject *shingle_counts(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    Py_ssize_t size = gram_size("shingle_counts", args, nargs);
    if (size < 0) return NULL;
    /* Tuples (a tuple is taken as it is): an == that changed a list could not pull its items away. */
    PyObject *a = PySequence_Tuple(args[0]);
    if (a == NULL) return NULL;
    PyObject *b = PySequence_Tuple(args[1]);
    if (b == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    PyObject *result = count_grams(a, b, size);
    Py_DECREF(a);
    Py_DECREF(b);
    return result;
}

/* The similarity's word numbers in one pass (harness.wirediff.similarity.similarity):
 *
 *     word_counts(a_words, b_words, size)
 *         -> (a_grams, b_grams, shared_grams, a_types, b_types, shared_types, a_codes, b_codes)
 *
 * The words of both texts get ids (equal words, one id: the cached hash finds them, ==
 * decides), each word read once. The distinct words and size-grams are then counted on
 * the ids, and each text's words come back as a string of one code point per word
 * (a_codes, b_codes: equal words, equal characters), on which rapidfuzz's edit distance
 * takes its string path instead of hashing every word again. (None, None) for the
 * codes past the code points there are (a pair of over a million distinct words). */
typedef struct {
    uint32_t hash;  /* the hash's low half: a first test before == */
    uint32_t first; /* 1 + the index of the word's first occurrence (A's words, then B's); 0: empty */
} WordSlot;         /* 8 bytes: a pair's table stays in the first-level cache */

static inline uint64_t mixed(uint64_t x) { /* murmur3's finaliser */
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    x ^= x >> 33;
    return x;
}

/* Word ids of A's words a[0..na) then B's b[0..nb) into ids[0..na+nb): equal words, one id.
 * The words stay where they are (no concatenated tuple); a slot names a word by its index. */
static int word_ids(PyObject *const *a, Py_ssize_t na, PyObject *const *b, Py_ssize_t nb, Py_ssize_t *ids,
                    Py_ssize_t *distinct) {
    Py_ssize_t n = na + nb;
    size_t capacity = 8;
    while (capacity < 2 * (size_t)n) capacity <<= 1;
    WordSlot *slots = PyMem_Calloc(capacity, sizeof(WordSlot));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t next = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *word = i < na ? a[i] : b[i - na];
        Py_hash_t h = PyObject_Hash(word);
        if (h == -1 && PyErr_Occurred()) goto fail;
        size_t at = (size_t)mixed((uint64_t)h) & (capacity - 1);
        for (;;) {
            WordSlot *slot = &slots[at];
            if (slot->first == 0) {
                slot->hash = (uint32_t)h;
                slot->first = (uint32_t)(i + 1);
                ids[i] = next++;
                break;
            }
            if (slot->hash == (uint32_t)h) {
                Py_ssize_t first = (Py_ssize_t)slot->first - 1;
                PyObject *other = first < na ? a[first] : b[first - na];
                int equal = other == word ? 1 : PyObject_RichCompareBool(other, word, Py_EQ);
                if (equal < 0) goto fail;
                if (equal) {
                    ids[i] = ids[first];
                    break;
                }
            }
            at = (at + 1) & (capacity - 1);
        }
    }
    PyMem_Free(slots);
    *distinct = next;
    return 0;
fail:
    PyMem_Free(slots);
    return -1;
}

/* Distinct size-grams of ids a[0..na) and b[0..nb), and how many of B's are A's. */
static inline int same_ids(const Py_ssize_t *x, const Py_ssize_t *y, Py_ssize_t size) {
    for (Py_ssize_t k = 0; k < size; k++) {
        if (x[k] != y[k]) return 0;
    }
    return 1;
}

static int id_gram_counts(const Py_ssize_t *a, Py_ssize_t na, const Py_ssize_t *b, Py_ssize_t nb, Py_ssize_t size,
                          Py_ssize_t counts[3]) {
    Py_ssize_t a_grams = na >= size ? na - size + 1 : 0, b_grams = nb >= size ? nb - size + 1 : 0;
    counts[0] = counts[1] = counts[2] = 0;
    size_t capacity = 8;
    while (capacity < 2 * (size_t)(a_grams + b_grams)) capacity <<= 1;
    /* One table for both texts: a slot holds where its gram starts (+ 1; B's: + na; 0: empty)
     * above two bits saying which texts saw it (1: A, 2: B); 32 bits, so that a pair's table
     * stays in the first-level cache (word_counts refuses a pair of 2**29 words or more). */
    uint32_t *slots = PyMem_Calloc(capacity, sizeof(uint32_t));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (int side = 0; side < 2; side++) {
        const Py_ssize_t *ids = side ? b : a;
        Py_ssize_t grams = side ? b_grams : a_grams, base = side ? na : 0;
        uint32_t bit = side ? 2 : 1;
        for (Py_ssize_t i = 0; i < grams; i++) {
            uint64_t x = 0x9E3779B97F4A7C15ULL;
            for (Py_ssize_t k = 0; k < size; k++) x = (x ^ (uint64_t)ids[i + k]) * 0x100000001B3ULL + (uint64_t)k;
            size_t at = (size_t)mixed(x) & (capacity - 1);
            for (;;) {
                if (slots[at] == 0) {
                    slots[at] = (uint32_t)(base + i + 1) << 2;
                    break;
                }
                Py_ssize_t other = (Py_ssize_t)(slots[at] >> 2) - 1;
                const Py_ssize_t *there = other >= na ? b + (other - na) : a + other;
                if (same_ids(there, ids + i, size)) break;
                at = (at + 1) & (capacity - 1);
            }
            if (!(slots[at] & bit)) {
                slots[at] |= bit;
                counts[side]++;
                if (side && (slots[at] & 1)) counts[2]++;
            }
        }
    }
    PyMem_Free(slots);
    return 0;
}

/* Distinct ids (words) of a[0..na) and b[0..nb), all below distinct, and how many of B's
 * are A's: the ids are the words' own numbers, so a mark per id counts them. */
static int id_type_counts(const Py_ssize_t *a, Py_ssize_t na, const Py_ssize_t *b, Py_ssize_t nb, Py_ssize_t distinct,
                          Py_ssize_t counts[3]) {
    unsigned char *seen = PyMem_Calloc(distinct ? (size_t)distinct : 1, 1); /* 1: in A, 2: in B */
    if (seen == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    counts[0] = counts[1] = counts[2] = 0;
    for (Py_ssize_t i = 0; i < na; i++) {
        if (!(seen[a[i]] & 1)) {
            seen[a[i]] |= 1;
            counts[0]++;
        }
    }
    for (Py_ssize_t i = 0; i < nb; i++) {
        if (!(seen[b[i]] & 2)) {
            seen[b[i]] |= 2;
            counts[1]++;
            if (seen[b[i]] & 1) counts[2]++;
        }
    }
    PyMem_Free(seen);
    return 0;
}

/* The words as code points: id k is U+k, past the surrogates (U+D800..U+DFFF) shifted beyond them. */
#define SURROGATES 0x800
static PyObject *codes_of(const Py_ssize_t *ids, Py_ssize_t n, Py_ssize_t distinct) {
    Py_UCS4 top = distinct ? (Py_UCS4)(distinct - 1) : 0;
    if (top >= 0xD800) top += SURROGATES;
    PyObject *codes = PyUnicode_New(n, top);
    if (codes == NULL) return NULL;
    int kind = PyUnicode_KIND(codes);
    void *data = PyUnicode_DATA(codes);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 code = (Py_UCS4)ids[i];
        PyUnicode_WRITE(kind, data, i, code >= 0xD800 ? code + SURROGATES : code);
    }
    return codes;
}

static PyObject *word_counts(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    Py_ssize_t size = gram_size("word_counts", args, nargs);
    if (size < 0) return NULL;
    PyObject *a = NULL, *b = NULL, *result = NULL, *a_codes = NULL, *b_codes = NULL;
    Py_ssize_t *ids = NULL;
    /* Tuples (a tuple is taken as it is): an == that changed a list could not pull its items away. */
    if ((a = PySequence_Tuple(args[0])) == NULL || (b = PySequence_Tuple(args[1])) == NULL) goto done;
    Py_ssize_t na = PyTuple_GET_SIZE(a), nb = PyTuple_GET_SIZE(b), distinct = 0;
    if ((size_t)(na + nb) >= ((size_t)1 << 29)) { /* word_ids and id_gram_counts keep indices in 32 bits */
        PyErr_SetString(PyExc_OverflowError, "word_counts: a pair of 2**29 words or more");
        goto done;
    }
    ids = PyMem_Malloc((size_t)(na + nb ? na + nb : 1) * sizeof(Py_ssize_t));
    if (ids == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if (word_ids(&PyTuple_GET_ITEM(a, 0), na, &PyTuple_GET_ITEM(b, 0), nb, ids, &distinct) < 0) goto done;
    Py_ssize_t grams[3], types[3];
    if (id_gram_counts(ids, na, ids + na, nb, size, grams) < 0 || id_type_counts(ids, na, ids + na, nb, distinct, types) < 0)
        goto done;
    if (distinct + SURROGATES <= 0x110000) {
        if ((a_codes = codes_of(ids, na, distinct)) == NULL || (b_codes = codes_of(ids + na, nb, distinct)) == NULL) goto done;
    } else {
        a_codes = Py_NewRef(Py_None);
        b_codes = Py_NewRef(Py_None);
    }
    result = Py_BuildValue("(nnnnnnOO)", grams[0], grams[1], grams[2], types[0], types[1], types[2], a_codes, b_codes);
done:
    PyMem_Free(ids);
    Py_XDECREF(a);
    Py_XDECREF(b);
    Py_XDECREF(a_codes);
    Py_XDECREF(b_codes);
    return result;
}

/* The same numbers with each text's words numbered once (harness.wirediff.similarity):
 *
 *     word_codes(words, table, size) -> (codes, grams, types, gram_count, type_count) | None
 *     shared_counts(a_grams, b_grams, a_types, b_types) -> (shared_grams, shared_types)
 *
 * word_counts numbers a pair's words afresh and counts its n-grams in a table made for
 * the pair; in a corpus run an article is in several pairs. word_codes does a text's part
 * once: it numbers the words in table, a dict word -> number the caller keeps for the
 * process (a word met first is numbered len(table)), and gives
 *
 *   codes: the numbers as code points, as word_counts gives them (number k is U+k, past
 *          the surrogates shifted beyond them), so two texts coded with one table have
 *          equal code points exactly where they have equal words;
 *   grams: the text's distinct size-grams as a hash set (bytes), each gram the code
 *          points of its words side by side, 21 bits each (size at most 6): two texts
 *          share a gram exactly where they hold equal entries;
 *   types: its distinct code points, as a hash set (bytes).
 *
 * None when a number would pass the last code point (the words numbered so far stay in the
 * table). shared_counts then looks one text's entries up in the other's set: how many
 * grams and words the two share. With the sets' sizes (gram_count, type_count: distinct
 * grams and words), word_counts' six counts. */
#define LAST_CODE 0x10FFFF
#define CODE_BITS 21
#define MAX_PACKED_GRAM 6 /* 6 x 21 = 126 bits */

typedef struct {
    uint64_t high, low; /* high never has its top bit set: all ones marks an empty slot */
} PackedGram;

#define EMPTY_GRAM UINT64_MAX
#define EMPTY_CODE UINT32_MAX /* above the last code point */

/* A hash set's bytes: a header (the entries it holds, the slots: a power of two), then the slots. */
typedef struct {
    uint64_t count, capacity;
} SetHeader;

static inline size_t gram_slot(PackedGram g, size_t mask) { return (size_t)mixed(g.high * 0x9E3779B97F4A7C15ULL ^ g.low) & mask; }
static inline size_t code_slot(uint32_t c, size_t mask) { return (size_t)mixed((uint64_t)c + 0x9E3779B97F4A7C15ULL) & mask; }

static size_t set_capacity(Py_ssize_t n) {
    size_t capacity = 8;
    while (capacity < 2 * (size_t)n) capacity <<= 1;
    return capacity;
}

/* A new set's bytes, every slot empty (slot bytes of 0xFF). */
static PyObject *empty_set(size_t capacity, size_t width) {
    PyObject *set = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(sizeof(SetHeader) + capacity * width));
    if (set == NULL) return NULL;
    SetHeader header = {0, capacity};
    memcpy(PyBytes_AS_STRING(set), &header, sizeof header);
    memset(PyBytes_AS_STRING(set) + sizeof header, 0xFF, capacity * width);
    return set;
}

/* The text's codes (from its words, numbered in table) into codes[0..n): 1 done, 0 no code
 * point left, -1 an error set. */
static int number_words(PyObject *words, PyObject *table, Py_UCS4 *codes) {
    Py_ssize_t n = PyTuple_GET_SIZE(words);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *word = PyTuple_GET_ITEM(words, i);
        PyObject *number = PyDict_GetItemWithError(table, word); /* borrowed */
        Py_ssize_t id;
        if (number != NULL) {
            id = PyLong_Check(number) ? PyLong_AsSsize_t(number) : -1;
            if (id == -1 && PyErr_Occurred()) return -1;
            if (id < 0 || id > LAST_CODE - SURROGATES) {
                PyErr_SetString(PyExc_ValueError, "word_codes: the table holds what is no word number");
                return -1;
            }
        } else {
            if (PyErr_Occurred()) return -1;
            id = PyDict_GET_SIZE(table);
            if ((id >= 0xD800 ? id + SURROGATES : id) > LAST_CODE) return 0;
            PyObject *value = PyLong_FromSsize_t(id);
            if (value == NULL) return -1;
            int failed = PyDict_SetItem(table, word, value);
            Py_DECREF(value);
            if (failed < 0) return -1;
        }
        codes[i] = (Py_UCS4)(id >= 0xD800 ? id + SURROGATES : id);
    }
    return 1;
}

static PackedGram packed_gram(const Py_UCS4 *codes, Py_ssize_t size) {
    PackedGram gram = {0, 0};
    for (Py_ssize_t k = 0; k < size; k++) { /* word k's bits: from bit 21k of low, on into high */
        uint64_t code = codes[k];
        int at = (int)k * CODE_BITS;
        if (at + CODE_BITS <= 64) gram.low |= code << at;
        else if (at >= 64) gram.high |= code << (at - 64);
        else {
            gram.low |= code << at;
            gram.high |= code >> (64 - at);
        }
    }
    return gram;
}

/* The sets of a text's size-grams and codes, filled. */
static void fill_sets(const Py_UCS4 *codes, Py_ssize_t n, Py_ssize_t size, PyObject *grams, PyObject *types) {
    SetHeader header;
    char *base = PyBytes_AS_STRING(grams);
    memcpy(&header, base, sizeof header);
    PackedGram *slots = (PackedGram *)(void *)(base + sizeof header); /* 16-byte header: aligned as the bytes' data */
    size_t mask = (size_t)header.capacity - 1;
    for (Py_ssize_t i = 0; i + size <= n; i++) {
        PackedGram gram = packed_gram(codes + i, size);
        size_t at = gram_slot(gram, mask);
        while (slots[at].high != EMPTY_GRAM && (slots[at].high != gram.high || slots[at].low != gram.low)) at = (at + 1) & mask;
        if (slots[at].high == EMPTY_GRAM) {
            slots[at] = gram;
            header.count++;
        }
    }
    memcpy(base, &header, sizeof header);
    base = PyBytes_AS_STRING(types);
    memcpy(&header, base, sizeof header);
    uint32_t *kinds = (uint32_t *)(void *)(base + sizeof header);
    mask = (size_t)header.capacity - 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        size_t at = code_slot(codes[i], mask);
        while (kinds[at] != EMPTY_CODE && kinds[at] != codes[i]) at = (at + 1) & mask;
        if (kinds[at] == EMPTY_CODE) {
            kinds[at] = codes[i];
            header.count++;
        }
    }
    memcpy(base, &header, sizeof header);
}

static PyObject *word_codes(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyDict_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "word_codes(words, table, size): table must be a dict");
        return NULL;
    }
    Py_ssize_t size = PyLong_AsSsize_t(args[2]);
    if (size == -1 && PyErr_Occurred()) return NULL;
    if (size < 1 || size > MAX_PACKED_GRAM) {
        PyErr_Format(PyExc_ValueError, "word_codes: size must be 1 to %d", MAX_PACKED_GRAM);
        return NULL;
    }
    PyObject *result = NULL, *codes = NULL, *grams = NULL, *types = NULL;
    /* A tuple (a tuple is taken as it is): an == that changed a list could not pull its items away. */
    PyObject *words = PySequence_Tuple(args[0]);
    if (words == NULL) return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(words), count = n >= size ? n - size + 1 : 0;
    Py_UCS4 *numbers = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_UCS4));
    if (numbers == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    int numbered = number_words(words, args[1], numbers);
    if (numbered < 0) goto done;
    if (numbered == 0) {
        result = Py_NewRef(Py_None); /* no code point left: the caller counts the pair anew */
        goto done;
    }
    if ((grams = empty_set(set_capacity(count), sizeof(PackedGram))) == NULL) goto done;
    if ((types = empty_set(set_capacity(n), sizeof(uint32_t))) == NULL) goto done;
    fill_sets(numbers, n, size, grams, types);
    if ((codes = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, numbers, n)) == NULL) goto done; /* as narrow as its codes allow */
    SetHeader gram_header, type_header;
    memcpy(&gram_header, PyBytes_AS_STRING(grams), sizeof gram_header);
    memcpy(&type_header, PyBytes_AS_STRING(types), sizeof type_header);
    result = Py_BuildValue("(OOOKK)", codes, grams, types, (unsigned long long)gram_header.count,
                           (unsigned long long)type_header.count);
done:
    PyMem_Free(numbers);
    Py_XDECREF(codes);
    Py_XDECREF(grams);
    Py_XDECREF(types);
    Py_DECREF(words);
    return result;
}

/* A set's header, or -1 with an error set when the bytes are no set of entries of width. */
static int read_set(PyObject *set, size_t width, SetHeader *header) {
    if (!PyBytes_Check(set) || (size_t)PyBytes_GET_SIZE(set) < sizeof *header) goto bad;
    memcpy(header, PyBytes_AS_STRING(set), sizeof *header);
    size_t capacity = (size_t)header->capacity;
    if (capacity == 0 || (capacity & (capacity - 1)) || header->count >= capacity ||
        capacity > (size_t)PY_SSIZE_T_MAX / width || (size_t)PyBytes_GET_SIZE(set) != sizeof *header + capacity * width)
        goto bad;
    return 0;
bad:
    PyErr_SetString(PyExc_TypeError, "shared_counts: the grams and types of word_codes");
    return -1;
}

/* Is the entry in the set's slots? At most every slot is looked at: bytes made elsewhere
 * than word_codes may hold a set with no empty slot. */
static int gram_in(const PackedGram *slots, size_t mask, PackedGram gram) {
    size_t at = gram_slot(gram, mask);
    for (size_t probes = 0; probes <= mask; probes++, at = (at + 1) & mask) {
        if (slots[at].high == EMPTY_GRAM) return 0;
        if (slots[at].high == gram.high && slots[at].low == gram.low) return 1;
    }
    return 0;
}

static int code_in(const uint32_t *slots, size_t mask, uint32_t code) {
    size_t at = code_slot(code, mask);
    for (size_t probes = 0; probes <= mask; probes++, at = (at + 1) & mask) {
        if (slots[at] == EMPTY_CODE) return 0;
        if (slots[at] == code) return 1;
    }
    return 0;
}

static PyObject *shared_counts(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "shared_counts(a_grams, b_grams, a_types, b_types)");
        return NULL;
    }
    SetHeader h[4];
    for (int k = 0; k < 4; k++) {
        if (read_set(args[k], k < 2 ? sizeof(PackedGram) : sizeof(uint32_t), &h[k]) < 0) return NULL;
    }
    /* Each entry of the smaller set looked up in the larger: what they share either way. */
    int small = h[0].capacity <= h[1].capacity ? 0 : 1;
    const PackedGram *from = (const PackedGram *)(const void *)(PyBytes_AS_STRING(args[small]) + sizeof(SetHeader));
    const PackedGram *into = (const PackedGram *)(const void *)(PyBytes_AS_STRING(args[1 - small]) + sizeof(SetHeader));
    size_t mask = (size_t)h[1 - small].capacity - 1;
    Py_ssize_t grams = 0, types = 0;
    for (size_t s = 0; s < (size_t)h[small].capacity; s++) {
        PackedGram gram = from[s];
        if (gram.high == EMPTY_GRAM) continue;
        grams += gram_in(into, mask, gram);
    }
    small = h[2].capacity <= h[3].capacity ? 2 : 3;
    const uint32_t *codes_from = (const uint32_t *)(const void *)(PyBytes_AS_STRING(args[small]) + sizeof(SetHeader));
    const uint32_t *codes_into = (const uint32_t *)(const void *)(PyBytes_AS_STRING(args[5 - small]) + sizeof(SetHeader));
    mask = (size_t)h[5 - small].capacity - 1;
    for (size_t s = 0; s < (size_t)h[small].capacity; s++) {
        uint32_t code = codes_from[s];
        if (code == EMPTY_CODE) continue;
        types += code_in(codes_into, mask, code);
    }
    return Py_BuildValue("(nn)", grams, types);
}

/* classify._letter_balanced_ends, the typography rule's first test at every change step:
 *
 *     letter_balanced_ends(a_token, b_token, eq_after, linked, first, max_changes, max_shared, letters)
 *         -> {step, ...}
 *
 * From step `first` on, the changed tokens' letters and digits are added up on each side
 * (A's a_token[k], B's b_token[k]); a step where the two sides hold the same ones is an
 * end. The walk stops after max_changes steps, once more than max_shared identical tokens
 * lie between its steps (eq_after), or where the next step is not joined to it (linked,
 * and the last step). An ASCII token's letters are its [0-9A-Za-z] (str.isalnum, and no
 * ASCII character is a modifier letter); other tokens' come from letters(token), the
 * rule's own function. */
typedef struct {
    Py_UCS4 *items;
    Py_ssize_t length, capacity;
} Letters;

static int letters_add(Letters *side, PyObject *token, PyObject *letters) {
    if (!PyUnicode_Check(token)) {
        PyErr_SetString(PyExc_TypeError, "letter_balanced_ends: the tokens must be strings");
        return -1;
    }
    PyObject *own = NULL;
    if (!PyUnicode_IS_ASCII(token)) {
        own = PyObject_CallOneArg(letters, token);
        if (own == NULL) return -1;
        if (!PyUnicode_Check(own)) {
            Py_DECREF(own);
            PyErr_SetString(PyExc_TypeError, "letter_balanced_ends: letters(token) must return a str");
            return -1;
        }
    }
    PyObject *from = own ? own : token;
    Py_ssize_t n = PyUnicode_GET_LENGTH(from);
    if (side->length + n > side->capacity) {
        Py_ssize_t capacity = side->capacity ? side->capacity : 64;
        while (capacity < side->length + n) capacity *= 2;
        Py_UCS4 *grown = PyMem_Realloc(side->items, (size_t)capacity * sizeof(Py_UCS4));
        if (grown == NULL) {
            Py_XDECREF(own);
            PyErr_NoMemory();
            return -1;
        }
        side->items = grown;
        side->capacity = capacity;
    }
    int kind = PyUnicode_KIND(from);
    const void *data = PyUnicode_DATA(from);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (own || (c < 128 && ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))))
            side->items[side->length++] = c;
    }
    Py_XDECREF(own);
    return 0;
}

static int columns_reach(PyObject *a_token, PyObject *b_token, PyObject *eq_after, PyObject *linked, Py_ssize_t step) {
    return step < PyList_GET_SIZE(a_token) && step < PyList_GET_SIZE(b_token) && step < PyList_GET_SIZE(eq_after) &&
           step < PyList_GET_SIZE(linked);
}

static PyObject *letter_balanced_ends(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 8 || !PyList_Check(args[0]) || !PyList_Check(args[1]) || !PyList_Check(args[2]) || !PyList_Check(args[3]) ||
        !PyCallable_Check(args[7])) {
        PyErr_SetString(PyExc_TypeError,
                        "letter_balanced_ends(a_token, b_token, eq_after, linked, first, max_changes, max_shared, letters)");
        return NULL;
    }
    PyObject *a_token = args[0], *b_token = args[1], *eq_after = args[2], *linked = args[3], *letters = args[7];
    Py_ssize_t first = PyLong_AsSsize_t(args[4]), max_changes = PyLong_AsSsize_t(args[5]),
               max_shared = PyLong_AsSsize_t(args[6]);
    if ((first == -1 || max_changes == -1 || max_shared == -1) && PyErr_Occurred()) return NULL;
    Py_ssize_t steps = PyList_GET_SIZE(a_token);
    if (PyList_GET_SIZE(b_token) != steps || PyList_GET_SIZE(eq_after) != steps || PyList_GET_SIZE(linked) != steps ||
        first < 0 || first >= steps) {
        PyErr_SetString(PyExc_ValueError, "letter_balanced_ends: columns of one length, first a step of them");
        return NULL;
    }
    Letters a = {NULL, 0, 0}, b = {NULL, 0, 0};
    PyObject *ends = PySet_New(NULL);
    if (ends == NULL) return NULL;
    Py_ssize_t shared = 0;
    for (Py_ssize_t last = first;; last++) {
        /* The sizes read before every item: letters() is Python, and could change the lists. */
        if (!columns_reach(a_token, b_token, eq_after, linked, last)) goto changed;
        if (letters_add(&a, PyList_GET_ITEM(a_token, last), letters) < 0) goto fail;
        if (!columns_reach(a_token, b_token, eq_after, linked, last)) goto changed;
        if (letters_add(&b, PyList_GET_ITEM(b_token, last), letters) < 0) goto fail;
        if (!columns_reach(a_token, b_token, eq_after, linked, last)) goto changed;
        if (a.length == b.length && (a.length == 0 || memcmp(a.items, b.items, (size_t)a.length * sizeof(Py_UCS4)) == 0)) {
            PyObject *step = PyLong_FromSsize_t(last);
            if (step == NULL) goto fail;
            int failed = PySet_Add(ends, step);
            Py_DECREF(step);
            if (failed < 0) goto fail;
        }
        Py_ssize_t between = PyLong_AsSsize_t(PyList_GET_ITEM(eq_after, last));
        if (between == -1 && PyErr_Occurred()) goto fail;
        shared += between;
        if (last - first + 1 >= max_changes || shared > max_shared) break;
        if (!columns_reach(a_token, b_token, eq_after, linked, last)) goto changed;
        int joined = PyObject_IsTrue(PyList_GET_ITEM(linked, last));
        if (joined < 0) goto fail;
        if (!(last + 1 < PyList_GET_SIZE(a_token) && joined)) break;
    }
    PyMem_Free(a.items);
    PyMem_Free(b.items);
    return ends;
changed:
    PyErr_SetString(PyExc_ValueError, "letter_balanced_ends: the columns changed during the walk");
fail:
    PyMem_Free(a.items);
    PyMem_Free(b.items);
    Py_DECREF(ends);
    return NULL;
}

/* boilerplate.normalise_segment for an ASCII text, in one pass:
 *
 *     ascii_segment_key(text, chars, spaces, strip) -> key | None
 *
 * chars maps each ASCII character to what the key holds for it (the typography fold,
 * case-folding and figures as 0, all one character each on ASCII), spaces marks the
 * characters str.split() splits at, strip those the key's ends lose: 128 bytes each,
 * made by boilerplate from its own definitions. The words (runs between spaces) are
 * joined by one space, the ends stripped. None for a text beyond ASCII: the caller
 * takes the definition's steps (NFKC and the rest). */
static PyObject *ascii_segment_key(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4 || !PyUnicode_Check(args[0]) || !PyBytes_Check(args[1]) || !PyBytes_Check(args[2]) ||
        !PyBytes_Check(args[3]) || PyBytes_GET_SIZE(args[1]) != 128 || PyBytes_GET_SIZE(args[2]) != 128 ||
        PyBytes_GET_SIZE(args[3]) != 128) {
        PyErr_SetString(PyExc_TypeError, "ascii_segment_key(text, chars, spaces, strip): a str and three tables of 128 bytes");
        return NULL;
    }
    PyObject *text = args[0];
    if (!PyUnicode_IS_ASCII(text)) Py_RETURN_NONE;
    const unsigned char *chars = (const unsigned char *)PyBytes_AS_STRING(args[1]);
    const unsigned char *spaces = (const unsigned char *)PyBytes_AS_STRING(args[2]);
    const unsigned char *strip = (const unsigned char *)PyBytes_AS_STRING(args[3]);
    for (int c = 0; c < 128; c++) {
        if (chars[c] >= 128) {
            PyErr_SetString(PyExc_ValueError, "ascii_segment_key: chars must map ASCII to ASCII");
            return NULL;
        }
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    const Py_UCS1 *in = PyUnicode_1BYTE_DATA(text);
    unsigned char *key = PyMem_Malloc((size_t)(n ? n : 1));
    if (key == NULL) return PyErr_NoMemory();
    Py_ssize_t length = 0;
    int gap = 0; /* spaces since the last word's character */
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = chars[in[i]];
        if (spaces[c]) {
            gap = 1;
            continue;
        }
        if (gap && length) key[length++] = ' ';
        gap = 0;
        key[length++] = c;
    }
    Py_ssize_t lo = 0, hi = length;
    while (lo < hi && strip[key[lo]]) lo++;
    while (hi > lo && strip[key[hi - 1]]) hi--;
    PyObject *result = PyUnicode_New(hi - lo, 127);
    if (result != NULL) memcpy(PyUnicode_1BYTE_DATA(result), key + lo, (size_t)(hi - lo));
    PyMem_Free(key);
    return result;
}

/* PreparedText.token_range's two searches in one call:
 *
 *     token_range(starts, ends, start, end) -> (bisect_left(starts, start), bisect_right(ends, end))
 *
 * starts and ends are a text's token offsets (tuples of ints, in order). bisect's own
 * searches compare each item with == and < through the objects' methods; the offsets are
 * read here as C integers, the same steps taken ((lo + hi) / 2, as bisect does), so the
 * same indices come back. A tuple item that is no int, or an offset past a C integer, is
 * refused (TypeError, OverflowError): a prepared text holds neither. */
static int bisect_offsets(PyObject *offsets, Py_ssize_t x, int right, Py_ssize_t *found) {
    Py_ssize_t lo = 0, hi = PyTuple_GET_SIZE(offsets);
    while (lo < hi) {
        Py_ssize_t mid = (Py_ssize_t)(((size_t)lo + (size_t)hi) / 2);
        PyObject *item = PyTuple_GET_ITEM(offsets, mid);
        if (!PyLong_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "token_range: the offsets must be ints");
            return -1;
        }
        Py_ssize_t value = PyLong_AsSsize_t(item);
        if (value == -1 && PyErr_Occurred()) return -1;
        if (right ? x < value : value < x) {
            if (right) hi = mid;
            else lo = mid + 1;
        } else {
            if (right) lo = mid + 1;
            else hi = mid;
        }
    }
    *found = lo;
    return 0;
}

static PyObject *token_range(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4 || !PyTuple_Check(args[0]) || !PyTuple_Check(args[1]) || !PyLong_Check(args[2]) || !PyLong_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "token_range(starts, ends, start, end): two tuples and two ints");
        return NULL;
    }
    Py_ssize_t start = PyLong_AsSsize_t(args[2]), end = PyLong_AsSsize_t(args[3]), lo, hi;
    if ((start == -1 || end == -1) && PyErr_Occurred()) return NULL;
    if (bisect_offsets(args[0], start, 0, &lo) < 0 || bisect_offsets(args[1], end, 1, &hi) < 0) return NULL;
    return Py_BuildValue("(nn)", lo, hi);
}

/* prepare's words_before: tuple(accumulate(flags, initial=0)) for a tuple of bools, the counts as
 * the shared offset ints (a text's word positions are as many ints as its tokens). */
static PyObject *running_counts(PyObject *Py_UNUSED(module), PyObject *flags) {
    if (!PyTuple_CheckExact(flags)) {
        PyErr_SetString(PyExc_TypeError, "running_counts: flags must be a tuple");
        return NULL;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(flags), count = 0;
    PyObject *counts = PyTuple_New(n + 1);
    if (counts == NULL) return NULL;
    for (Py_ssize_t k = 0; k <= n; k++) {
        if (k) {
            int truth = PyObject_IsTrue(PyTuple_GET_ITEM(flags, k - 1));
            if (truth < 0) goto fail;
            count += truth;
        }
        PyObject *value = offset_int(count);
        if (value == NULL) goto fail;
        PyTuple_SET_ITEM(counts, k, value);
    }
    return counts;
fail:
    Py_DECREF(counts); /* slots not yet filled are NULL, which tuple deallocation skips */
    return NULL;
}

/* ---------------------------------------------------------------------------------
 * harness.text.sentences' fast Punkt path (sentence_spans) in one loop: the same
 * candidates, the same decisions, the same sentences, as (start, end) pairs.
 *
 *     sentence_bounds(text, hooks) -> [(start, end), ...]
 *
 * hooks is harness.text.sentences.PunktHooks: (sentence-end characters, the
 * punctuation that may follow a stop, the word-kind memo, its function, NLTK's
 * decision, the realignment, the abbreviations, the memo's limit). The Python module documents every step; this follows
 * sentence_spans, _break_slices, _is_break, _append_realigned and _append_trimmed
 * line for line. What is rare stays in Python: a word's kind on a memo miss (but for a
 * word of ASCII letters, _word_kind's first case, decided here), NLTK's
 * own decision, and the realignment regex (tried only where a sentence opens with a
 * quote or a bracket). tests/test_text_sentences_fast.py compares the two. */
/* A set of characters given as a str: a bitmap for ASCII, the str itself for the rest. */
typedef struct {
    uint64_t ascii[2];
    PyObject *chars;
} CharSet;

static int charset_of(PyObject *chars, CharSet *set) {
    if (!PyUnicode_Check(chars) || PyUnicode_READY(chars) < 0) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "sentence_bounds: a character set must be a str");
        return -1;
    }
    set->ascii[0] = set->ascii[1] = 0;
    set->chars = chars;
    for (Py_ssize_t k = 0; k < PyUnicode_GET_LENGTH(chars); k++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(chars, k);
        if (c < 128) set->ascii[c >> 6] |= (uint64_t)1 << (c & 63);
    }
    return 0;
}

static inline int in_chars(const CharSet *set, Py_UCS4 c) {
    if (c < 128) return (int)((set->ascii[c >> 6] >> (c & 63)) & 1);
    return PyUnicode_FindChar(set->chars, c, 0, PyUnicode_GET_LENGTH(set->chars), 1) >= 0;
}

typedef struct {
    PyObject *text;
    Text t;
    CharSet sent_end, after_punct, realign_openers;
    PyObject *memo, *word_kind, *decide, *realign;
    PyObject *abbreviations; /* a set or frozenset of lower-case abbreviations */
    Py_ssize_t memo_limit;
    PyObject *out;
} Splitter;

typedef struct {
    Py_ssize_t stop, after_end, next_start; /* next_start -1: a punctuation character follows */
} Candidate;

/* The candidate pattern's whitespace ([^\S\r\n\x1c-\x1f]) and token characters ([\S\x1c-\x1f]). */
static inline int is_info_separator(Py_UCS4 c) { return c >= 0x1c && c <= 0x1f; }
static inline int is_line_space(Py_UCS4 c) {
    return Py_UNICODE_ISSPACE(c) && c != '\r' && c != '\n' && !is_info_separator(c);
}
static inline int is_token_char(Py_UCS4 c) { return !Py_UNICODE_ISSPACE(c) || is_info_separator(c); }

/* The candidate at `i` (a sentence-end character), as the line period-context pattern
 * matches there: 1 with `*c` filled, 0 when it does not match. */
static int candidate_at(const Splitter *s, Py_ssize_t i, Candidate *c) {
    const Text *t = &s->t;
    c->stop = i;
    if (i + 1 < t->n && in_chars(&s->after_punct, at(t, i + 1))) {
        c->after_end = i + 2;
        c->next_start = -1;
        return 1;
    }
    Py_ssize_t j = i + 1;
    while (j < t->n && is_line_space(at(t, j))) j++;
    if (j == i + 1 || j == t->n || !is_token_char(at(t, j))) return 0;
    Py_ssize_t k = j;
    while (k < t->n && is_token_char(at(t, k))) k++;
    c->after_end = k;
    c->next_start = j;
    return 1;
}

/* _starter_case: -1 not a sentence starter, 1 unknown and upper case, 0 unknown, 2 cannot tell. */
static int starter_case(Py_UCS4 first, int lone) {
    int punkt_punctuation = first == ';' || first == ':' || first == ',' || first == '.' || first == '!' || first == '?';
    if (lone) {
        if (punkt_punctuation) return -1;
    } else if (first == ',' || first == ';' || first == ':') {
        return -1;
    } else if (punkt_punctuation) {
        return 2;
    }
    if (Py_UNICODE_ISLOWER(first)) return -1;
    return Py_UNICODE_ISUPPER(first) ? 1 : 0;
}

enum { ALWAYS_BREAK, NEVER_BREAK, NUMBER_KIND, INITIAL_KIND, UNSURE };

/* _word_kind's first case: a word of two or more ASCII letters is one token with the stop,
 * neither an initial nor a number, so its kind is NEVER_BREAK when its lower case is an
 * abbreviation, else ALWAYS_BREAK. -1 when the case does not apply, -2 on an error. */
static int plain_word_kind(const Splitter *s, PyObject *word) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(word);
    if (n < 2 || !PyUnicode_IS_ASCII(word)) return -1;
    const Py_UCS1 *chars = PyUnicode_1BYTE_DATA(word);
    for (Py_ssize_t k = 0; k < n; k++) {
        if (!(('a' <= chars[k] && chars[k] <= 'z') || ('A' <= chars[k] && chars[k] <= 'Z'))) return -1;
    }
    PyObject *lower = PyUnicode_New(n, 127);
    if (lower == NULL) return -2;
    Py_UCS1 *out = PyUnicode_1BYTE_DATA(lower);
    for (Py_ssize_t k = 0; k < n; k++) out[k] = (Py_UCS1)Py_TOLOWER(chars[k]);
    int found = PySet_Contains(s->abbreviations, lower);
    Py_DECREF(lower);
    return found < 0 ? -2 : found ? NEVER_BREAK : ALWAYS_BREAK;
}

/* The kind of `word` from the memo; on a miss, a plain word's kind here (remembered in the
 * memo as _remembered_word_kind does), any other from word_kind (which remembers it).
 * -1 on an error. */
static int word_kind_of(const Splitter *s, PyObject *word) {
    PyObject *kind = PyDict_GetItemWithError(s->memo, word);
    if (kind != NULL) return (int)PyLong_AsLong(kind);
    if (PyErr_Occurred()) return -1;
    int plain = plain_word_kind(s, word);
    if (plain == -2) return -1;
    if (plain >= 0) {
        if (PyDict_GET_SIZE(s->memo) >= s->memo_limit) PyDict_Clear(s->memo);
        PyObject *value = PyLong_FromLong(plain);
        int failed = value == NULL || PyDict_SetItem(s->memo, word, value) < 0;
        Py_XDECREF(value);
        return failed ? -1 : plain;
    }
    PyObject *made = PyObject_CallOneArg(s->word_kind, word);
    if (made == NULL) return -1;
    long value = PyLong_AsLong(made);
    Py_DECREF(made);
    return value == -1 && PyErr_Occurred() ? -1 : (int)value;
}

/* _is_break: 1 a break, 0 none, -1 an error. */
static int is_break(const Splitter *s, Py_ssize_t word_start, const Candidate *c) {
    const Text *t = &s->t;
    Py_ssize_t stop = c->stop;
    if (at(t, stop) != '.') return 1;
    PyObject *word = PyUnicode_Substring(s->text, word_start, stop);
    if (word == NULL) return -1;
    int kind = word_kind_of(s, word);
    if (kind < 0 && PyErr_Occurred()) goto fail;
    if (kind == ALWAYS_BREAK) {
        Py_DECREF(word);
        return 1;
    }
    if (kind != UNSURE) {
        int lone = c->next_start < 0;
        if (kind != NEVER_BREAK) {
            int found = starter_case(at(t, lone ? stop + 1 : c->next_start), lone);
            if (found == 2) {
                kind = UNSURE;
            } else if (found == 0 || (found == 1 && kind == NUMBER_KIND)) {
                Py_DECREF(word);
                return 1;
            }
        }
        if (kind != UNSURE) {
            int disjoint = 1;
            if (!lone) {
                for (Py_ssize_t k = c->next_start; k < c->after_end - 1 && disjoint; k++) {
                    if (in_chars(&s->sent_end, at(t, k))) disjoint = 0;
                }
            }
            if (disjoint) {
                Py_DECREF(word);
                return 0;
            }
        }
    }
    /* NLTK decides on word + "." + after */
    PyObject *after = PyUnicode_Substring(s->text, stop + 1, c->after_end);
    if (after == NULL) goto fail;
    PyObject *context = PyUnicode_FromFormat("%U.%U", word, after);
    Py_DECREF(after);
    Py_DECREF(word);
    if (context == NULL) return -1;
    PyObject *decided = PyObject_CallOneArg(s->decide, context);
    Py_DECREF(context);
    if (decided == NULL) return -1;
    int truth = PyObject_IsTrue(decided);
    Py_DECREF(decided);
    return truth;
fail:
    Py_DECREF(word);
    return -1;
}

/* _append_trimmed: the span without its surrounding whitespace, kept if it holds a \w. */
static int append_trimmed(Splitter *s, Py_ssize_t start, Py_ssize_t end) {
    const Text *t = &s->t;
    while (start < end && Py_UNICODE_ISSPACE(at(t, start))) start++;
    while (end > start && Py_UNICODE_ISSPACE(at(t, end - 1))) end--;
    Py_ssize_t k = start;
    while (k < end && !is_word(at(t, k))) k++;
    if (k >= end) return 0; /* no word (or an empty span: start past end, as a Python slice) */
    return append_pair(s->out, start, end);
}

/* The last of " \t\x0b\x0c" (or " " alone when the text has none of the others) in [lo, hi), or -1. */
static Py_ssize_t last_whitespace(const Text *t, Py_ssize_t lo, Py_ssize_t hi, int rare) {
    for (Py_ssize_t k = hi - 1; k >= lo; k--) {
        Py_UCS4 c = at(t, k);
        if (c == ' ' || (rare && (c == '\t' || c == 0x0b || c == 0x0c))) return k;
    }
    return -1;
}

/* _break_slices for the paragraph [start, end) and its candidates. */
static int break_slices(Splitter *s, Py_ssize_t start, Py_ssize_t end, const Candidate *cands, Py_ssize_t n, int rare,
                        Spans *out) {
    const Text *t = &s->t;
    out->count = 0;
    Py_ssize_t last_break = start, word_start = start, word_stop = start;
    const Candidate *pending = NULL;
    for (Py_ssize_t m = 0; m < n; m++) {
        Py_ssize_t candidate = cands[m].stop;
        Py_ssize_t space = last_whitespace(t, word_stop, candidate, rare);
        Py_ssize_t new_start = space > word_stop ? space + 1 : word_start;
        if (pending != NULL && word_stop <= new_start) {
            int brk = is_break(s, word_start, pending);
            if (brk < 0) return -1;
            if (brk) {
                if (spans_add(out, last_break, word_stop + 1) < 0) return -1;
                last_break = pending->next_start >= 0 ? pending->next_start : word_stop + 1;
            }
        }
        pending = &cands[m];
        word_start = new_start;
        word_stop = candidate;
    }
    if (pending != NULL) {
        int brk = is_break(s, word_start, pending);
        if (brk < 0) return -1;
        if (brk) {
            if (spans_add(out, last_break, word_stop + 1) < 0) return -1;
            last_break = pending->next_start >= 0 ? pending->next_start : word_stop + 1;
        }
    }
    Py_ssize_t stripped = end;
    while (stripped > start && Py_UNICODE_ISSPACE(at(t, stripped - 1))) stripped--;
    return spans_add(out, last_break, stripped);
}

/* _append_realigned over the slices. */
static int append_realigned(Splitter *s, const Spans *slices) {
    const Text *t = &s->t;
    Py_ssize_t realign = 0, start = slices->starts[0], stop = slices->ends[0];
    for (Py_ssize_t k = 1; k < slices->count; k++) {
        Py_ssize_t next_start = slices->starts[k], next_stop = slices->ends[k];
        start += realign;
        int found = 0;
        Py_ssize_t kept_end = 0, found_end = 0;
        if (next_start < next_stop && in_chars(&s->realign_openers, at(t, next_start))) {
            PyObject *matched = PyObject_CallFunction(s->realign, "Onn", s->text, next_start, next_stop);
            if (matched == NULL) return -1;
            if (matched != Py_None) {
                found = PyArg_ParseTuple(matched, "nn", &kept_end, &found_end);
                if (!found) {
                    Py_DECREF(matched);
                    return -1;
                }
            }
            Py_DECREF(matched);
        }
        if (found) {
            if (append_trimmed(s, start, kept_end) < 0) return -1;
            realign = found_end - next_start;
        } else {
            realign = 0;
            if (start < stop && append_trimmed(s, start, stop) < 0) return -1;
        }
        start = next_start;
        stop = next_stop;
    }
    if (start + realign < stop && append_trimmed(s, start + realign, stop) < 0) return -1;
    return 0;
}

static int is_break_line(Py_UCS4 c) { return c == '\r' || c == '\n'; }

static int split_text(Splitter *s) {
    const Text *t = &s->t;
    Candidate *cands = NULL;
    Py_ssize_t count = 0, size = 0;
    Spans slices = {NULL, NULL, 0, 0}; /* (start, stop) of each slice */
    int rare = 0, result = -1;
    for (Py_ssize_t i = 0; i < t->n; i++) {
        Py_UCS4 c = at(t, i);
        if (c == '\t' || c == 0x0b || c == 0x0c) rare = 1;
        if (!in_chars(&s->sent_end, c)) continue;
        Candidate found;
        if (!candidate_at(s, i, &found)) continue;
        if (count == size) {
            size = size ? 2 * size : 64;
            Candidate *grown = PyMem_Realloc(cands, size * sizeof(Candidate));
            if (grown == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            cands = grown;
        }
        cands[count++] = found;
    }
    Py_ssize_t first = 0, p = 0;
    while (p < t->n) {
        /* a paragraph: a maximal run without CR or LF */
        if (is_break_line(at(t, p))) {
            p++;
            continue;
        }
        Py_ssize_t start = p;
        while (p < t->n && !is_break_line(at(t, p))) p++;
        Py_ssize_t end = p, last = first;
        while (last < count && cands[last].stop < end) last++;
        if (last > first) {
            if (break_slices(s, start, end, cands + first, last - first, rare, &slices) < 0) goto done;
            if (slices.count == 0) {
                PyErr_NoMemory();
                goto done;
            }
            if (append_realigned(s, &slices) < 0) goto done;
            first = last;
        } else if (append_trimmed(s, start, end) < 0) {
            goto done;
        }
    }
    result = 0;
done:
    PyMem_Free(cands);
    PyMem_Free(slices.starts);
    PyMem_Free(slices.ends);
    if (result < 0 && !PyErr_Occurred()) PyErr_NoMemory();
    return result;
}

static PyObject *sentence_bounds(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyTuple_Check(args[1]) || PyTuple_GET_SIZE(args[1]) != 9) {
        PyErr_SetString(PyExc_TypeError, "sentence_bounds(text, hooks): hooks is a PunktHooks of 9 fields");
        return NULL;
    }
    PyObject *text = args[0], *hooks = args[1];
    if (PyUnicode_READY(text) < 0) return NULL;
    Splitter s = {text, {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)}};
    if (charset_of(PyTuple_GET_ITEM(hooks, 0), &s.sent_end) < 0 ||
        charset_of(PyTuple_GET_ITEM(hooks, 1), &s.after_punct) < 0 ||
        charset_of(PyTuple_GET_ITEM(hooks, 2), &s.realign_openers) < 0)
        return NULL;
    s.memo = PyTuple_GET_ITEM(hooks, 3);
    s.word_kind = PyTuple_GET_ITEM(hooks, 4);
    s.decide = PyTuple_GET_ITEM(hooks, 5);
    s.realign = PyTuple_GET_ITEM(hooks, 6);
    s.abbreviations = PyTuple_GET_ITEM(hooks, 7);
    s.memo_limit = PyLong_Check(PyTuple_GET_ITEM(hooks, 8)) ? PyLong_AsSsize_t(PyTuple_GET_ITEM(hooks, 8)) : -1;
    if (!PyDict_CheckExact(s.memo) || !PyCallable_Check(s.word_kind) || !PyCallable_Check(s.decide) ||
        !PyCallable_Check(s.realign) || !PyAnySet_Check(s.abbreviations) || s.memo_limit < 0) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError,
                        "sentence_bounds: hooks are three str, a dict, three callables, a set and a count");
        return NULL;
    }
    s.out = PyList_New(0);
    if (s.out == NULL) return NULL;
    if (split_text(&s) < 0) {
        Py_CLEAR(s.out);
    }
    return s.out;
}

/* ---------------------------------------------------------------------------------
 * harness.wirediff.boilerplate._sentence_starts: where the sentences of one paragraph
 * start, for the page-chrome pass's segments.
 *
 *     segment_sentence_starts(text, start, end, abbreviations) -> [start, ...]
 *
 * The ends are the matches of _SENTENCE_END,
 *     [.!?…]["”’')\]]*(?=\s+["“‘'(\[]?[A-Z0-9])
 * found as finditer(text, start, end) finds them: the lookahead sees nothing past `end`;
 * the closers are taken greedily (giving one back leaves a closer, not a space, next);
 * so are the spaces (giving one back leaves a space, neither an opener nor [A-Z0-9]).
 * A "." closing an abbreviation (_is_abbreviation) cuts nothing; the next sentence
 * starts after the spaces, if it starts before `end`. */
static inline int is_stop(Py_UCS4 c) { return c == '.' || c == '!' || c == '?' || c == 0x2026; }
static inline int is_closer(Py_UCS4 c) {
    return c == '"' || c == 0x201D || c == 0x2019 || c == '\'' || c == ')' || c == ']';
}
static inline int is_opener(Py_UCS4 c) {
    return c == '"' || c == 0x201C || c == 0x2018 || c == '\'' || c == '(' || c == '[';
}
static inline int is_capital_or_digit(Py_UCS4 c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

/* The end of the match of _SENTENCE_END at the stop `i`, or -1. */
static Py_ssize_t sentence_end_at(const Text *t, Py_ssize_t i, Py_ssize_t end) {
    Py_ssize_t j = i + 1;
    while (j < end && is_closer(at(t, j))) j++;
    Py_ssize_t k = j;
    while (k < end && Py_UNICODE_ISSPACE(at(t, k))) k++;
    if (k == j || k == end) return -1;
    Py_UCS4 c = at(t, k);
    if (is_capital_or_digit(c)) return j;
    if (is_opener(c) && k + 1 < end && is_capital_or_digit(at(t, k + 1))) return j;
    return -1;
}

/* _is_abbreviation(text, end): the word the full stop before `end` closes is an
 * initial, dotted or listed (1 yes, 0 no, -1 an error). */
static int closes_abbreviation(PyObject *text, const Text *t, Py_ssize_t end, PyObject *abbreviations) {
    Py_ssize_t start = end - 1;
    while (start > 0) {
        Py_UCS4 c = at(t, start - 1);
        if (!(Py_UNICODE_ISALNUM(c) || c == '.' || c == '_')) break;
        start--;
    }
    Py_ssize_t stem_end = end;
    while (stem_end > start && at(t, stem_end - 1) == '.') stem_end--;
    if (stem_end - start <= 1) return 1;
    for (Py_ssize_t k = start; k < stem_end; k++) {
        if (at(t, k) == '.') return 1;
    }
    PyObject *stem = PyUnicode_Substring(text, start, stem_end);
    if (stem == NULL) return -1;
    PyObject *folded = PyObject_CallMethod(stem, "casefold", NULL);
    Py_DECREF(stem);
    if (folded == NULL) return -1;
    int listed = PySet_Contains(abbreviations, folded);
    Py_DECREF(folded);
    return listed;
}

static PyObject *segment_sentence_starts(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4 || !PyUnicode_Check(args[0]) || !PyAnySet_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "segment_sentence_starts(text, start, end, abbreviations: a set)");
        return NULL;
    }
    PyObject *text = args[0], *abbreviations = args[3];
    Py_ssize_t start = PyLong_AsSsize_t(args[1]), end = PyLong_AsSsize_t(args[2]);
    if ((start == -1 || end == -1) && PyErr_Occurred()) return NULL;
    if (PyUnicode_READY(text) < 0) return NULL;
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    if (start < 0 || end > t.n || start > end) {
        PyErr_SetString(PyExc_ValueError, "segment_sentence_starts: start and end must lie within the text, in order");
        return NULL;
    }
    PyObject *starts = PyList_New(0);
    if (starts == NULL) return NULL;
    PyObject *first = offset_int(start);
    if (first == NULL || PyList_Append(starts, first) < 0) goto fail_first;
    Py_DECREF(first);
    for (Py_ssize_t i = start; i < end; i++) {
        if (!is_stop(at(&t, i))) continue;
        Py_ssize_t stop_end = sentence_end_at(&t, i, end);
        if (stop_end < 0) continue;
        Py_ssize_t resume = stop_end; /* finditer goes on after the match */
        int skip = 0;
        if (at(&t, i) == '.') {
            skip = closes_abbreviation(text, &t, i + 1, abbreviations);
            if (skip < 0) goto fail;
        }
        if (!skip) {
            Py_ssize_t next = stop_end;
            while (next < end && Py_UNICODE_ISSPACE(at(&t, next))) next++;
            if (next < end) {
                PyObject *value = offset_int(next);
                if (value == NULL) goto fail;
                int failed = PyList_Append(starts, value);
                Py_DECREF(value);
                if (failed) goto fail;
            }
        }
        i = resume - 1; /* the loop's i++ lands on the match's end */
    }
    return starts;
fail_first:
    Py_XDECREF(first);
fail:
    Py_DECREF(starts);
    return NULL;
}

/* prepare._sentence_ranges: the token ranges (lo, hi) of a text's sentences, given its tokens'
 * starts (ascending) and its sentences' (start, end) from sentence_bounds. A token belongs to
 * the sentence it starts in (tokens before the first sentence, to the first): the cuts are
 * bisect_left(starts, start) of every sentence but the first, and the ranges run between
 * consecutive cuts (0 and len(starts) at the ends), the empty ones left out. */
static int bisect_left_int(PyObject *const *items, Py_ssize_t n, Py_ssize_t value, Py_ssize_t *found) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2, item = PyLong_AsSsize_t(items[mid]);
        if (item == -1 && PyErr_Occurred()) return -1;
        if (item < value) lo = mid + 1;
        else hi = mid;
    }
    *found = lo;
    return 0;
}

static PyObject *sentence_ranges(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "sentence_ranges(starts, bounds) takes two arguments");
        return NULL;
    }
    PyObject *starts = NULL, *bounds = NULL, *ranges = NULL, *result = NULL;
    if ((starts = PySequence_Fast(args[0], "sentence_ranges: starts must be a sequence")) == NULL) goto done;
    if ((bounds = PySequence_Fast(args[1], "sentence_ranges: bounds must be a sequence")) == NULL) goto done;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(starts), count = PySequence_Fast_GET_SIZE(bounds);
    if (n == 0) {
        result = PyTuple_New(0);
        goto done;
    }
    if ((ranges = PyList_New(0)) == NULL) goto done;
    PyObject *const *items = PySequence_Fast_ITEMS(starts);
    Py_ssize_t lo = 0;
    for (Py_ssize_t k = 1; k < count; k++) {
        PyObject *bound = PySequence_Fast_GET_ITEM(bounds, k);
        PyObject *first = PyTuple_Check(bound) && PyTuple_GET_SIZE(bound) > 0 ? Py_NewRef(PyTuple_GET_ITEM(bound, 0))
                                                                             : PySequence_GetItem(bound, 0);
        if (first == NULL) goto done;
        Py_ssize_t start = PyLong_AsSsize_t(first), cut;
        Py_DECREF(first);
        if (start == -1 && PyErr_Occurred()) goto done;
        if (bisect_left_int(items, n, start, &cut) < 0 || (cut > lo && append_pair(ranges, lo, cut) < 0)) goto done;
        lo = cut;
    }
    if (n > lo && append_pair(ranges, lo, n) < 0) goto done;
    result = PyList_AsTuple(ranges);
done:
    Py_XDECREF(starts);
    Py_XDECREF(bounds);
    Py_XDECREF(ranges);
    return result;
}

/* The scorecard's tokens (harness.text.tokens._tokenize_plain: the tokens of
 * _PLAIN_SPLIT_RE's split, for a text whose characters `re` and `regex` class alike):
 *
 *     token_columns(text, offset) -> (texts, starts, ends, codes)
 *
 * That pattern is this file's token scanner without the joined marks (its alternatives
 * in the same order: abbreviation, number, word, one punctuation character; whitespace
 * between tokens), so each token ends where token_end puts it. Its kind code is read
 * from the alternative taken: 0 a word (a letter starts an abbreviation or a word; a
 * digit or "_" a word when the number alternative does not match), 1 a number, 2
 * punctuation; tokens.py reads the same codes from the first character (_settled_code).
 * Starts and ends have `offset` added; codes is one byte per token. The split's gap and
 * token strings, their running sums and the code look-ups in numpy are one loop here. */
static PyObject *token_columns(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "token_columns(text, offset)");
        return NULL;
    }
    Text t;
    if (text_of(args[0], "token_columns", &t) < 0) return NULL;
    Py_ssize_t offset = PyLong_AsSsize_t(args[1]);
    if (offset == -1 && PyErr_Occurred()) return NULL;
    PyObject *texts = PyList_New(0), *starts = PyList_New(0), *ends = PyList_New(0), *result = NULL;
    char *codes = NULL;
    Py_ssize_t count = 0, size = 0;
    if (texts == NULL || starts == NULL || ends == NULL) goto done;
    Py_ssize_t i = 0;
    while (i < t.n) {
        Py_UCS4 c = at(&t, i);
        if (Py_UNICODE_ISSPACE(c)) {
            i++;
            continue;
        }
        Py_ssize_t end;
        char code;
        if (!is_word(c)) {
            end = i + 1;
            code = 2;
        } else if (is_letter(c)) {
            end = abbreviation(&t, i);
            if (end < 0) end = word(&t, i, 0);
            code = 0;
        } else {
            end = number(&t, i);
            code = 1;
            if (end < 0) {
                end = word(&t, i, 0);
                code = 0;
            }
        }
        if (count == size) {
            size = size ? 2 * size : 512;
            char *grown = PyMem_Realloc(codes, size);
            if (grown == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            codes = grown;
        }
        codes[count++] = code;
        PyObject *token = PyUnicode_Substring(args[0], i, end);
        if (token == NULL) goto done;
        int failed = PyList_Append(texts, token);
        Py_DECREF(token);
        PyObject *first = failed ? NULL : offset_int(i + offset);
        failed = first == NULL || PyList_Append(starts, first) < 0;
        Py_XDECREF(first);
        PyObject *last = failed ? NULL : offset_int(end + offset);
        failed = last == NULL || PyList_Append(ends, last) < 0;
        Py_XDECREF(last);
        if (failed) goto done;
        i = end;
    }
    PyObject *code_bytes = PyBytes_FromStringAndSize(codes ? codes : "", count);
    if (code_bytes == NULL) goto done;
    result = PyTuple_Pack(4, texts, starts, ends, code_bytes);
    Py_DECREF(code_bytes);
done:
    PyMem_Free(codes);
    Py_XDECREF(texts);
    Py_XDECREF(starts);
    Py_XDECREF(ends);
    return result;
}

/* Discovery's word keys of a text whose characters beyond ASCII are all separators
 * (harness.discovery.shingles._text_keys checks that): the texts of its word and
 * number tokens, lowercased. On such a text its pattern, findall'd, is the tokens'
 * abbreviation, number and word alternatives (token_end, without the marks only other
 * text holds), every key is ASCII, and str.casefold is lowercasing. */
static PyObject *plain_word_keys(PyObject *Py_UNUSED(module), PyObject *text) {
    Text t;
    if (text_of(text, "plain_word_keys", &t) < 0) return NULL;
    PyObject *keys = PyList_New(0);
    if (keys == NULL) return NULL;
    Py_ssize_t i = 0;
    while (i < t.n) {
        if (!is_word(at(&t, i))) {
            i++;  /* no alternative starts here: findall moves on by one character */
            continue;
        }
        Py_ssize_t end = abbreviation(&t, i);
        if (end < 0) end = number(&t, i);
        if (end < 0) end = word(&t, i, 0);
        PyObject *key = PyUnicode_New(end - i, 127);
        if (key == NULL) goto error;
        Py_UCS1 *out = PyUnicode_1BYTE_DATA(key);
        for (Py_ssize_t k = i; k < end; k++) {
            Py_UCS4 c = at(&t, k);
            if (c >= 128) {  /* a word character beyond ASCII: the caller's check failed */
                Py_DECREF(key);
                PyErr_SetString(PyExc_ValueError, "plain_word_keys: a word character beyond ASCII");
                goto error;
            }
            out[k - i] = (Py_UCS1)Py_TOLOWER(c);
        }
        int failed = PyList_Append(keys, key);
        Py_DECREF(key);
        if (failed < 0) goto error;
        i = end;
    }
    return keys;
error:
    Py_DECREF(keys);
    return NULL;
}

/* Discovery's word hashes straight from a text (harness.discovery.shingles._text_word_hashes):
 *
 *     plain_word_hashes(text, hash_word) -> bytes of a uint64 array
 *
 * the hash of each key plain_word_keys(text) would give, in order, without making a str
 * per word. A key's hash is hash_word(key) (hashlib's blake2b, called with the key as a
 * str), asked once per distinct key and remembered here, by the key's bytes, until
 * WORD_CACHE_ENTRIES keys (word_hashes_limit) or WORD_CACHE_BYTES bytes of them are held; then the cache
 * starts afresh (a cache, not a record: every value is hash_word's). A key found in the
 * cache costs a probe and a comparison of a few bytes, where plain_word_keys and
 * known_hashes made a str and looked it up in a dict (119-123 ms for the diff bench's
 * 500 articles in a fresh process; 52-60 ms here, the hashes asked for included). */
#define WORD_CACHE_ENTRIES (1u << 21) /* as discovery's dict of word hashes (_WORD_HASHES_MAX) */
#define WORD_CACHE_BYTES ((size_t)32 << 20)
typedef struct {
    uint64_t mix;   /* FNV-1a of the key's bytes: the probe's start and a first test */
    uint64_t value; /* hash_word(key) */
    size_t offset;  /* the key's bytes in word_cache.bytes */
    uint32_t length;
} CachedWord;
/* Grown as keys come (a corpus of news holds tens of thousands of words): a table sized
 * for the most keys ever held missed the processor's caches at every probe. */
static struct {
    CachedWord *entries;
    uint32_t *slots;  /* entry index + 1, 0 empty; at least twice as many as entries */
    char *bytes;
    uint32_t count, entries_room;
    size_t slots_room; /* a power of two */
    size_t used, bytes_room;
} word_cache;
static uint32_t word_cache_limit = WORD_CACHE_ENTRIES; /* keys held at most (word_hashes_limit sets it) */

static void word_cache_reset(void) {
    if (word_cache.slots != NULL) memset(word_cache.slots, 0, word_cache.slots_room * sizeof(uint32_t));
    word_cache.count = 0;
    word_cache.used = 0;
}

static int word_cache_ready(void) {
    if (word_cache.slots != NULL) return 0;
    word_cache.entries_room = 1u << 14;
    word_cache.slots_room = (size_t)1 << 15;
    word_cache.bytes_room = (size_t)1 << 17;
    word_cache.entries = PyMem_RawMalloc(word_cache.entries_room * sizeof(CachedWord));
    word_cache.slots = PyMem_RawCalloc(word_cache.slots_room, sizeof(uint32_t));
    word_cache.bytes = PyMem_RawMalloc(word_cache.bytes_room);
    if (word_cache.entries == NULL || word_cache.slots == NULL || word_cache.bytes == NULL) {
        PyMem_RawFree(word_cache.entries);
        PyMem_RawFree(word_cache.slots);
        PyMem_RawFree(word_cache.bytes);
        word_cache.entries = NULL;
        word_cache.slots = NULL;
        word_cache.bytes = NULL;
        PyErr_NoMemory();
        return -1;
    }
    word_cache.count = 0;
    word_cache.used = 0;
    return 0;
}

/* The slot of the key key[0..length) (FNV-1a mix `mix`) in the cache: its entry's
 * (*found = 1), or the empty one where it would go (*found = 0). */
static size_t word_slot(const char *key, uint32_t length, uint64_t mix, int *found) {
    const size_t mask = word_cache.slots_room - 1;
    size_t at = (size_t)mixed(mix) & mask;
    for (;;) {
        uint32_t slot = word_cache.slots[at];
        if (slot == 0) {
            *found = 0;
            return at;
        }
        const CachedWord *entry = &word_cache.entries[slot - 1];
        if (entry->mix == mix && entry->length == length && memcmp(word_cache.bytes + entry->offset, key, length) == 0) {
            *found = 1;
            return at;
        }
        at = (at + 1) & mask;
    }
}

/* Room for one more key of `length` bytes: the arrays grown (the slots re-filled) as
 * needed, or the cache emptied when it holds WORD_CACHE_ENTRIES keys or WORD_CACHE_BYTES
 * bytes of them. -1 (MemoryError set) when memory runs out. */
static int word_cache_room(uint32_t length) {
    if (word_cache.count >= word_cache_limit || word_cache.used + length > WORD_CACHE_BYTES) {
        word_cache_reset(); /* full: afresh */
    }
    if (word_cache.count == word_cache.entries_room) {
        CachedWord *more = PyMem_RawRealloc(word_cache.entries, 2 * (size_t)word_cache.entries_room * sizeof(CachedWord));
        if (more == NULL) goto no_memory;
        word_cache.entries = more;
        word_cache.entries_room *= 2;
    }
    if (word_cache.used + length > word_cache.bytes_room) {
        size_t room = word_cache.bytes_room;
        while (word_cache.used + length > room) room *= 2;
        char *more = PyMem_RawRealloc(word_cache.bytes, room);
        if (more == NULL) goto no_memory;
        word_cache.bytes = more;
        word_cache.bytes_room = room;
    }
    if (2 * ((size_t)word_cache.count + 1) > word_cache.slots_room) {
        size_t room = 2 * word_cache.slots_room;
        uint32_t *slots = PyMem_RawCalloc(room, sizeof(uint32_t));
        if (slots == NULL) goto no_memory;
        PyMem_RawFree(word_cache.slots);
        word_cache.slots = slots;
        word_cache.slots_room = room;
        for (uint32_t k = 0; k < word_cache.count; k++) {
            size_t at = (size_t)mixed(word_cache.entries[k].mix) & (room - 1);
            while (slots[at] != 0) at = (at + 1) & (room - 1);
            slots[at] = k + 1;
        }
    }
    return 0;
no_memory:
    PyErr_NoMemory();
    return -1;
}

/* hash_word of the key key[0..length) (lowercase ASCII), from the cache or asked and remembered. */
static int cached_word_hash(const char *key, uint32_t length, PyObject *hash_word, uint64_t *out) {
    uint64_t mix = 0xCBF29CE484222325ULL;
    for (uint32_t k = 0; k < length; k++) mix = (mix ^ (unsigned char)key[k]) * 0x100000001B3ULL;
    int found;
    size_t at = word_slot(key, length, mix, &found);
    if (found) {
        *out = word_cache.entries[word_cache.slots[at] - 1].value;
        return 0;
    }
    PyObject *word = PyUnicode_FromStringAndSize(key, length);
    if (word == NULL) return -1;
    PyObject *made = PyObject_CallOneArg(hash_word, word);
    Py_DECREF(word);
    if (made == NULL) return -1;
    unsigned long long value = PyLong_AsUnsignedLongLong(made);
    Py_DECREF(made);
    if (value == (unsigned long long)-1 && PyErr_Occurred()) return -1;
    *out = (uint64_t)value;
    if (word_cache_room(length) < 0) return -1;
    /* Found again: hash_word ran Python code, which may have let another thread use the
     * cache; and the slots may have been re-filled or emptied. */
    at = word_slot(key, length, mix, &found);
    if (found) return 0;
    CachedWord *entry = &word_cache.entries[word_cache.count];
    entry->mix = mix;
    entry->value = (uint64_t)value;
    entry->offset = word_cache.used;
    entry->length = length;
    memcpy(word_cache.bytes + word_cache.used, key, length);
    word_cache.used += length;
    word_cache.slots[at] = ++word_cache.count;
    return 0;
}

static PyObject *plain_word_hashes(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyCallable_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "plain_word_hashes(text, hash_word): a str and a function");
        return NULL;
    }
    Text t;
    if (text_of(args[0], "plain_word_hashes", &t) < 0) return NULL;
    if (word_cache_ready() < 0) return NULL;
    Py_ssize_t room = t.n / 4 + 16, found = 0; /* news copy: a word every six characters or so */
    uint64_t *hashes = PyMem_Malloc((size_t)room * sizeof(uint64_t));
    char small[256];
    char *key = small;
    size_t key_room = sizeof(small);
    if (hashes == NULL) return PyErr_NoMemory();
    PyObject *result = NULL;
    Py_ssize_t i = 0;
    while (i < t.n) {
        if (!is_word(at(&t, i))) {
            i++;
            continue;
        }
        Py_ssize_t end = abbreviation(&t, i);
        if (end < 0) end = number(&t, i);
        if (end < 0) end = word(&t, i, 0);
        size_t length = (size_t)(end - i);
        if (length > UINT32_MAX) {
            PyErr_SetString(PyExc_OverflowError, "plain_word_hashes: a word of 2**32 characters or more");
            goto done;
        }
        if (length > key_room) {
            char *bigger = PyMem_Malloc(length);
            if (bigger == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            if (key != small) PyMem_Free(key);
            key = bigger;
            key_room = length;
        }
        for (Py_ssize_t k = i; k < end; k++) {
            Py_UCS4 c = at(&t, k);
            if (c >= 128) { /* a word character beyond ASCII: the caller's check failed */
                PyErr_SetString(PyExc_ValueError, "plain_word_hashes: a word character beyond ASCII");
                goto done;
            }
            key[k - i] = (char)Py_TOLOWER(c);
        }
        if (found == room) {
            uint64_t *more = PyMem_Realloc(hashes, (size_t)(2 * room) * sizeof(uint64_t));
            if (more == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            hashes = more;
            room *= 2;
        }
        if (cached_word_hash(key, (uint32_t)length, args[1], &hashes[found]) < 0) goto done;
        found++;
        i = end;
    }
    result = PyBytes_FromStringAndSize((const char *)hashes, found * (Py_ssize_t)sizeof(uint64_t));
done:
    if (key != small) PyMem_Free(key);
    PyMem_Free(hashes);
    return result;
}

/* Empties plain_word_hashes's cache. */
static PyObject *clear_word_hashes(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(ignored)) {
    word_cache_reset();
    return Py_NewRef(Py_None);
}

/* word_hashes_limit(keys) -> the limit before: the most keys plain_word_hashes's cache holds
 * before it starts afresh (1 to WORD_CACHE_ENTRIES; the tests lower it to see it start afresh). */
static PyObject *word_hashes_limit(PyObject *Py_UNUSED(module), PyObject *keys) {
    unsigned long limit = PyLong_AsUnsignedLong(keys);
    if (limit == (unsigned long)-1 && PyErr_Occurred()) return NULL;
    if (limit < 1 || limit > WORD_CACHE_ENTRIES) {
        PyErr_Format(PyExc_ValueError, "word_hashes_limit: from 1 to %u keys", WORD_CACHE_ENTRIES);
        return NULL;
    }
    uint32_t before = word_cache_limit;
    word_cache_limit = (uint32_t)limit;
    word_cache_reset();
    return PyLong_FromUnsignedLong(before);
}

/* Discovery's word hashes (harness.discovery.shingles._word_hashes_of): the hash of
 * every key of every list of `lists` (str keys), in order, as the bytes of a uint64
 * array. A key's hash is known[key]; a key not in `known` (str -> int below 2**64) is
 * hashed by calling hash_word(key) (hashlib's blake2b) and added to `known`. numpy's
 * fromiter over a map of known.__getitem__, after a set of the keys missing, took
 * about three times as long. */
static PyObject *known_hashes(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyList_Check(args[0]) || !PyDict_Check(args[1]) || !PyCallable_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "known_hashes(lists, known, hash_word): a list of lists of str, a dict, a function");
        return NULL;
    }
    PyObject *lists = args[0], *known = args[1], *hash_word = args[2];
    Py_ssize_t total = 0;
    for (Py_ssize_t l = 0; l < PyList_GET_SIZE(lists); l++) {
        PyObject *keys = PyList_GET_ITEM(lists, l);
        if (!PyList_Check(keys)) {
            PyErr_SetString(PyExc_TypeError, "known_hashes: every item of lists must be a list");
            return NULL;
        }
        total += PyList_GET_SIZE(keys);
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, total * (Py_ssize_t)sizeof(uint64_t));
    if (out == NULL) return NULL;
    uint64_t *hashes = (uint64_t *)PyBytes_AS_STRING(out);
    Py_ssize_t k = 0;
    for (Py_ssize_t l = 0; l < PyList_GET_SIZE(lists); l++) {
        PyObject *keys = PyList_GET_ITEM(lists, l);
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(keys) && k < total; i++, k++) {
            PyObject *key = PyList_GET_ITEM(keys, i);
            if (!PyUnicode_CheckExact(key)) {
                PyErr_SetString(PyExc_TypeError, "known_hashes: every key must be a str");
                goto error;
            }
            PyObject *value = PyDict_GetItemWithError(known, key);  /* borrowed */
            unsigned long long hash;
            if (value != NULL) {
                hash = PyLong_AsUnsignedLongLong(value);
            } else {
                if (PyErr_Occurred()) goto error;
                PyObject *made = PyObject_CallOneArg(hash_word, key);
                if (made == NULL) goto error;
                hash = PyLong_AsUnsignedLongLong(made);
                int failed = (hash == (unsigned long long)-1 && PyErr_Occurred()) || PyDict_SetItem(known, key, made) < 0;
                Py_DECREF(made);
                if (failed) goto error;
            }
            if (hash == (unsigned long long)-1 && PyErr_Occurred()) goto error;
            hashes[k] = (uint64_t)hash;
        }
    }
    if (k != total) {  /* a list shrank while it was read (hash_word changed it) */
        PyErr_SetString(PyExc_RuntimeError, "known_hashes: the lists changed while they were read");
        goto error;
    }
    return out;
error:
    Py_DECREF(out);
    return NULL;
}

/* An 8-byte integer buffer of `function`'s argument `name` (C-contiguous; writable
 * when asked): discovery's arrays (uint64 hashes, int64 offsets) as numpy holds them. */
static int word64_buffer(PyObject *object, Py_buffer *view, const char *function, const char *name, int writable) {
    if (PyObject_GetBuffer(object, view, PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0)) < 0) return -1;
    if (view->itemsize != 8 || view->len % 8 != 0) {
        PyErr_Format(PyExc_TypeError, "%s: %s must hold 8-byte integers", function, name);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* Are offsets[0..n_sets] in order, from 0 at least and within n_items? */
static int offsets_in_order(const int64_t *offsets, Py_ssize_t n_sets, Py_ssize_t n_items, const char *function) {
    for (Py_ssize_t i = 0; i < n_sets; i++) {
        if (offsets[i] < 0 || offsets[i] > offsets[i + 1] || offsets[i + 1] > n_items) {
            PyErr_Format(PyExc_ValueError, "%s: offsets out of order or past the end", function);
            return 0;
        }
    }
    return 1;
}

/* Language identification's automaton (harness.text.language: the walk of py3langid's
 * visit_counts, done for a batch of texts by _walk, and the keys _feature_counts sorts):
 *
 *     langid_keys(encoded, nextmove, rowbase, output, n_features, out) -> count
 *
 * For text k of `encoded` (a list of bytes), from state 0, state = nextmove[rowbase[state]
 * + byte] at every byte; where output[state] is a feature (>= 0), the key k * n_features
 * + feature is written to `out` (int32 or int64, writable, room for every byte of every
 * text), in no particular order. Returns how many keys were written. nextmove is uint32, rowbase
 * int64, output int32, as the model's arrays are; an index past a table is a ValueError.
 * numpy walked one byte position at a time across the batch (a gather per position, and
 * a grid of every position of every text); here each text is walked once, in groups. */
#define LANGID_GROUP 32
static PyObject *langid_keys(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "langid_keys(encoded, nextmove, rowbase, output, n_features, out)");
        return NULL;
    }
    PyObject *encoded = args[0];
    if (!PyList_CheckExact(encoded)) {
        PyErr_SetString(PyExc_TypeError, "langid_keys: encoded must be a list of bytes");
        return NULL;
    }
    Py_ssize_t n_features = PyLong_AsSsize_t(args[4]);
    if (n_features == -1 && PyErr_Occurred()) return NULL;
    static const int sizes[4] = {4, 8, 4, 0};  /* nextmove, rowbase, output; out: 4 or 8 */
    Py_buffer views[4];
    int got = 0;
    PyObject *result = NULL;
    for (; got < 4; got++) {
        PyObject *object = args[got < 3 ? got + 1 : 5];
        if (PyObject_GetBuffer(object, &views[got], PyBUF_C_CONTIGUOUS | (got == 3 ? PyBUF_WRITABLE : 0)) < 0) goto done;
        Py_ssize_t size = views[got].itemsize;
        if ((sizes[got] ? size != sizes[got] : size != 4 && size != 8) || views[got].len % size != 0) {
            got++;
            PyErr_SetString(PyExc_TypeError, "langid_keys: nextmove must hold 4-byte, rowbase 8-byte, output 4-byte, out 4- or 8-byte integers");
            goto done;
        }
    }
    const uint32_t *nextmove = views[0].buf;
    const int64_t *rowbase = views[1].buf;
    const int32_t *output = views[2].buf;
    Py_ssize_t n_next = views[0].len / 4, n_states = views[1].len / 8, wide = views[3].itemsize == 8;
    Py_ssize_t capacity = views[3].len / views[3].itemsize, written = 0;
    int32_t *out32 = views[3].buf;
    int64_t *out64 = views[3].buf;
    if (views[2].len / 4 != n_states || n_states == 0 || n_features <= 0) {
        PyErr_SetString(PyExc_ValueError, "langid_keys: rowbase and output of different lengths, or no features");
        goto done;
    }
    /* LANGID_GROUP texts walked side by side, a byte position at a time: each text's walk
     * is a chain of dependent loads from a table of tens of MB, so one text alone waits on
     * memory at every byte; the group's chains are independent and their loads overlap.
     * The keys come out in no particular order (the caller sorts them). */
    Py_ssize_t texts = PyList_GET_SIZE(encoded);
    for (Py_ssize_t first = 0; first < texts; first += LANGID_GROUP) {
        Py_ssize_t size = texts - first < LANGID_GROUP ? texts - first : LANGID_GROUP, longest = 0;
        const unsigned char *bytes[LANGID_GROUP];
        Py_ssize_t lengths[LANGID_GROUP];
        uint64_t states[LANGID_GROUP];
        for (Py_ssize_t j = 0; j < size; j++) {
            PyObject *item = PyList_GET_ITEM(encoded, first + j);
            if (!PyBytes_Check(item)) {
                PyErr_SetString(PyExc_TypeError, "langid_keys: encoded must be a list of bytes");
                goto done;
            }
            bytes[j] = (const unsigned char *)PyBytes_AS_STRING(item);
            lengths[j] = PyBytes_GET_SIZE(item);
            states[j] = 0;
            if (lengths[j] > longest) longest = lengths[j];
        }
        for (Py_ssize_t i = 0; i < longest; i++) {
            for (Py_ssize_t j = 0; j < size; j++) {
                if (i >= lengths[j]) continue;
                int64_t at = rowbase[states[j]] + bytes[j][i];
                uint64_t state;
                if (at < 0 || at >= n_next || (state = nextmove[at]) >= (uint64_t)n_states) {
                    PyErr_SetString(PyExc_ValueError, "langid_keys: a transition past the model's tables");
                    goto done;
                }
                states[j] = state;
                int32_t feature = output[state];
                if (feature < 0) continue;
                int64_t key = (int64_t)(first + j) * n_features + feature;
                if (feature >= n_features || written == capacity || (!wide && key > INT32_MAX)) {
                    PyErr_SetString(PyExc_ValueError,
                                    "langid_keys: a feature past n_features, out too short, or a key past int32");
                    goto done;
                }
                if (wide) out64[written++] = key;
                else out32[written++] = (int32_t)key;
            }
        }
    }
    result = PyLong_FromSsize_t(written);
done:
    for (int i = 0; i < got; i++) PyBuffer_Release(&views[i]);
    return result;
}

/* Discovery's verification (harness.discovery.pairs.shared_counts): for each pair k,
 * how many hashes the sorted, distinct sets x[k] and y[k] share, set i being
 * hashes[offsets[i]:offsets[i + 1]] (uint64, int64, int64, int64 buffers). One merge
 * per pair: linear in the two sets, where the array version ranked every hash (a sort
 * of the whole batch). The counts come back as the bytes of an int64 array. */
static PyObject *sorted_shared_counts(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "sorted_shared_counts(hashes, offsets, x, y)");
        return NULL;
    }
    static const char *names[4] = {"hashes", "offsets", "x", "y"};
    Py_buffer views[4];
    int got = 0;
    PyObject *result = NULL;
    for (; got < 4; got++)
        if (word64_buffer(args[got], &views[got], "sorted_shared_counts", names[got], 0) < 0) goto done;
    const uint64_t *hashes = views[0].buf;
    const int64_t *offsets = views[1].buf, *x = views[2].buf, *y = views[3].buf;
    Py_ssize_t n_hashes = views[0].len / 8, n_sets = views[1].len / 8 - 1, n_pairs = views[2].len / 8;
    if (views[3].len != views[2].len || n_sets < 0) {
        PyErr_SetString(PyExc_ValueError, "sorted_shared_counts: x and y differ in length, or no offsets");
        goto done;
    }
    if (!offsets_in_order(offsets, n_sets, n_hashes, "sorted_shared_counts")) goto done;
    result = PyBytes_FromStringAndSize(NULL, n_pairs * 8);
    if (result == NULL) goto done;
    int64_t *counts = (int64_t *)PyBytes_AS_STRING(result);
    for (Py_ssize_t k = 0; k < n_pairs; k++) {
        if (x[k] < 0 || x[k] >= n_sets || y[k] < 0 || y[k] >= n_sets) {
            PyErr_SetString(PyExc_IndexError, "sorted_shared_counts: a pair names no set");
            Py_CLEAR(result);
            goto done;
        }
        const uint64_t *a = hashes + offsets[x[k]], *a_end = hashes + offsets[x[k] + 1];
        const uint64_t *b = hashes + offsets[y[k]], *b_end = hashes + offsets[y[k] + 1];
        int64_t shared = 0;
        while (a < a_end && b < b_end) {
            if (*a < *b) a++;
            else if (*b < *a) b++;
            else { shared++; a++; b++; }
        }
        counts[k] = shared;
    }
done:
    for (int i = 0; i < got; i++) PyBuffer_Release(&views[i]);
    return result;
}

/* Discovery's MinHash (harness.discovery.minhash.MinHash.batch_signatures):
 *
 *     minhash_fill(hashes, offsets, multipliers, adds, out) -> None
 *
 * Set i's signature, out[i * n_perm + p], becomes the least of multipliers[p] * h +
 * adds[p] (mod 2**64, as numpy's uint64 arithmetic wraps) over the hashes h of set i,
 * hashes[offsets[i]:offsets[i + 1]]; an empty set's row is left as it is (the caller
 * fills `out` with EMPTY, the largest uint64, so min(EMPTY, ...) is the minimum).
 * numpy made the (permutations x shingles) products as a matrix and reduced it with
 * reduceat: the same minima, with every product written to memory and read back.
 * The loop holds no Python object: the GIL is released. */
#define MINHASH_MINIMA_BODY                                                              \
    for (Py_ssize_t i = 0; i < n_sets; i++) {                                            \
        uint64_t *row = out + i * n_perm;                                                \
        for (int64_t k = offsets[i]; k < offsets[i + 1]; k++) {                          \
            const uint64_t h = hashes[k];                                                \
            for (Py_ssize_t p = 0; p < n_perm; p++) {                                    \
                const uint64_t v = multipliers[p] * h + adds[p];                         \
                row[p] = v < row[p] ? v : row[p];                                        \
            }                                                                            \
        }                                                                                \
    }

static void minhash_minima(const uint64_t *hashes, const int64_t *offsets, Py_ssize_t n_sets, const uint64_t *multipliers,
                           const uint64_t *adds, Py_ssize_t n_perm, uint64_t *out) {
    MINHASH_MINIMA_BODY
}

/* The same loop compiled for CPUs that multiply eight 64-bit integers at once
 * (AVX-512DQ's vpmullq), chosen at run time: about a third of the time of the loop
 * above on such a CPU (17 against 52 ms for 500 news articles at 128 permutations);
 * the same integers, so the same signatures, on any CPU. GCC is asked to vectorise
 * this one function (-O2 does not) with 512-bit vectors. */
#if defined(__x86_64__) && defined(__GNUC__)
#define MINHASH_WIDE 1
#if defined(__clang__)
__attribute__((target("avx512f,avx512dq")))
#else
__attribute__((target("avx512f,avx512dq,prefer-vector-width=512"), optimize("O3")))
#endif
static void minhash_minima_wide(const uint64_t *hashes, const int64_t *offsets, Py_ssize_t n_sets,
                                const uint64_t *multipliers, const uint64_t *adds, Py_ssize_t n_perm, uint64_t *out) {
    MINHASH_MINIMA_BODY
}

static int wide_multiplies(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}
#endif

static PyObject *minhash_fill(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "minhash_fill(hashes, offsets, multipliers, adds, out)");
        return NULL;
    }
    static const char *names[5] = {"hashes", "offsets", "multipliers", "adds", "out"};
    Py_buffer views[5];
    int got = 0;
    PyObject *result = NULL;
    for (; got < 5; got++)
        if (word64_buffer(args[got], &views[got], "minhash_fill", names[got], got == 4) < 0) goto done;
    const uint64_t *hashes = views[0].buf, *multipliers = views[2].buf, *adds = views[3].buf;
    const int64_t *offsets = views[1].buf;
    uint64_t *out = views[4].buf;
    Py_ssize_t n_hashes = views[0].len / 8, n_sets = views[1].len / 8 - 1, n_perm = views[2].len / 8;
    if (n_sets < 0 || views[3].len != views[2].len || views[4].len / 8 != n_sets * n_perm) {
        PyErr_SetString(PyExc_ValueError,
                        "minhash_fill: no offsets, multipliers and adds of different lengths, or out not sets x permutations");
        goto done;
    }
    if (!offsets_in_order(offsets, n_sets, n_hashes, "minhash_fill")) goto done;
    Py_BEGIN_ALLOW_THREADS
#ifdef MINHASH_WIDE
    if (wide_multiplies()) minhash_minima_wide(hashes, offsets, n_sets, multipliers, adds, n_perm, out);
    else
#endif
        minhash_minima(hashes, offsets, n_sets, multipliers, adds, n_perm, out);
    Py_END_ALLOW_THREADS
    result = Py_NewRef(Py_None);
done:
    for (int i = 0; i < got; i++) PyBuffer_Release(&views[i]);
    return result;
}

/* splitmix64's finaliser and discovery's order-sensitive combination
 * (harness.discovery.shingles.mix64, combine64): uint64 arithmetic wraps. */
static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return x;
}
static inline uint64_t combine64(uint64_t state, uint64_t value) { return mix64(state * 0x9E3779B97F4A7C15ULL + value); }

/* Discovery's shingles (harness.discovery.shingles.shingle_batch, before each text's
 * hashes are sorted):
 *
 *     shingle_states(words, counts, size) -> uint64 bytearray
 *
 * Text t has counts[t] word hashes, laid end to end in `words`. Its width w is
 * min(counts[t], size), and it has counts[t] - w + 1 shingles (none without words):
 * shingle j is its words j .. j + w - 1 folded by combine64 from word j, then sealed
 * with the width (combine64(state, w)), so a 3-word text never equals the first
 * 3-gram of a longer one. Every text's shingles in order, texts in order: numpy
 * combined a word column at a time (size passes over the batch, each with temporaries
 * the batch's size). */
static PyObject *shingle_states(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyLong_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "shingle_states(words, counts, size)");
        return NULL;
    }
    Py_ssize_t size = PyLong_AsSsize_t(args[2]);
    if (size == -1 && PyErr_Occurred()) return NULL;
    if (size < 1) {
        PyErr_SetString(PyExc_ValueError, "shingle_states: size must be at least 1");
        return NULL;
    }
    Py_buffer views[2];
    int got = 0;
    PyObject *result = NULL;
    static const char *names[2] = {"words", "counts"};
    for (; got < 2; got++)
        if (word64_buffer(args[got], &views[got], "shingle_states", names[got], 0) < 0) goto done;
    const uint64_t *words = views[0].buf;
    const int64_t *counts = views[1].buf;
    Py_ssize_t n_words = views[0].len / 8, n_texts = views[1].len / 8, total = 0, shingles = 0;
    for (Py_ssize_t t = 0; t < n_texts; t++) {
        if (counts[t] < 0 || counts[t] > n_words - total) {
            PyErr_SetString(PyExc_ValueError, "shingle_states: counts negative or past the words");
            goto done;
        }
        total += counts[t];
        shingles += counts[t] > size ? counts[t] - size + 1 : (counts[t] > 0);
    }
    result = PyByteArray_FromStringAndSize(NULL, shingles * 8);  /* writable: the caller's array is its own */
    if (result == NULL) goto done;
    uint64_t *out = (uint64_t *)PyByteArray_AS_STRING(result);
    const uint64_t *text = words;
    for (Py_ssize_t t = 0; t < n_texts; t++) {
        const Py_ssize_t count = counts[t], width = count < size ? count : size;
        for (Py_ssize_t j = 0; j + width <= count && count > 0; j++) {
            uint64_t state = text[j];
            for (Py_ssize_t k = 1; k < width; k++) state = combine64(state, text[j + k]);
            *out++ = combine64(state, (uint64_t)width);
        }
        text += count;
    }
done:
    for (int i = 0; i < got; i++) PyBuffer_Release(&views[i]);
    return result;
}

/* ------------------------------------------------------------------ the alignment
 *
 * harness.wirediff.align.align's body, in one call (the module docstring there is the
 * method; its Python is the definition and runs when the core runs from its sources):
 *
 *     align_core(a_sentence_keys, b_sentence_keys, a_sentences, b_sentences, a_keys, b_keys,
 *                a_units, b_units, a_words_before, b_words_before, a_len, b_len,
 *                sentence_threshold, merge_threshold, move_threshold, opcodes)
 *         -> (runs, chain, groups, aligned_a_words, aligned_b_words)
 *
 * runs: (op, a_lo, a_hi, b_lo, b_hi, whole) in reading order (op: align.Op's value);
 * chain: the kept links (a_lo, a_hi, b_lo, b_hi, similarity); groups: the moved passages
 * in sentences (a_lo, a_hi, b_lo, b_hi, lowest similarity); the words aligned outside them.
 *
 * Compiled, the Python spent its time building and freeing a Link per candidate, a list
 * per run and a tuple per score, and rapidfuzz's cdist hashed every word of every
 * sentence it scored again. Here the sentences' words get ids once (word_ids: equal words,
 * one id) and the similarity of two sentences is rapidfuzz's normalised Indel similarity,
 * 1 - (|a| + |b| - 2 LCS) / (|a| + |b|), the LCS by Hyyro's bit-parallel recurrence on the
 * ids (rapidfuzz's own method; the LCS is one number whatever the method). The word-level
 * opcodes of a changed group still come from rapidfuzz (`opcodes`, align._opcodes): which
 * of several longest subsequences it reports is its to say.
 * tests/test_wirediff_align_native.py holds both to the same answers. */

typedef struct {
    Py_ssize_t a_lo, a_hi, b_lo, b_hi;
    double similarity;
} ALink;

typedef struct {
    long op;
    Py_ssize_t a_lo, a_hi, b_lo, b_hi;
    int whole;
} ARun;

enum { OP_EQUAL = 0, OP_VARIANT = 1, OP_DELETE = 2, OP_INSERT = 3, OP_MOVED_A = 4, OP_MOVED_B = 5 };

/* A growing array of `size`-byte items. */
typedef struct {
    char *items;
    Py_ssize_t count, capacity, size;
} Grow;

static void *grow_push(Grow *g) {
    if (g->count == g->capacity) {
        Py_ssize_t capacity = g->capacity ? 2 * g->capacity : 16;
        char *items = PyMem_Realloc(g->items, (size_t)capacity * (size_t)g->size);
        if (items == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
        g->items = items;
        g->capacity = capacity;
    }
    return g->items + (size_t)(g->count++) * (size_t)g->size;
}

#define GROW_AT(g, type, k) (((type *)(g).items)[k])

/* One text's sentences: each one's word ids (into a shared array), and its token range. */
typedef struct {
    Py_ssize_t count;
    Py_ssize_t *first;  /* sentence k's ids: ids[first[k] .. first[k + 1]) */
    uint64_t *hash;     /* of its ids, a first test before comparing them */
    Py_ssize_t *lo, *hi; /* its tokens */
    PyObject *words_before; /* the text's tuple: read where a stretch is aligned */
    Py_ssize_t tokens;
} Side;

static void side_free(Side *s) {
    PyMem_Free(s->first);
    PyMem_Free(s->hash);
    PyMem_Free(s->lo);
    PyMem_Free(s->hi);
}

/* words_before[i]: the words among the first i tokens (-1 with an error set when not an int). */
static inline Py_ssize_t words_before(const Side *s, Py_ssize_t i) {
    return PyLong_AsSsize_t(PyTuple_GET_ITEM(s->words_before, i));
}

static inline Py_ssize_t s_len(const Side *s, Py_ssize_t k) { return s->first[k + 1] - s->first[k]; }

/* Hyyro's bit-parallel LCS of a pattern against texts: the pattern's match masks by id. */
typedef struct {
    int32_t *row_of;   /* id -> row of masks, -1: not in the pattern (every entry -1 between uses) */
    uint64_t *masks;   /* rows x blocks */
    uint64_t *v;       /* blocks */
    Py_ssize_t blocks, rows, mask_capacity, v_capacity;
    const Py_ssize_t *pattern;
    Py_ssize_t length;
} Lcs;

static int lcs_pattern(Lcs *w, const Py_ssize_t *p1, Py_ssize_t n1, const Py_ssize_t *p2, Py_ssize_t n2, Py_ssize_t *scratch) {
    /* the pattern is p1 followed by p2 (a sentence, or two neighbours read as one) */
    Py_ssize_t n = n1 + n2;
    for (Py_ssize_t k = 0; k < n1; k++) scratch[k] = p1[k];
    for (Py_ssize_t k = 0; k < n2; k++) scratch[n1 + k] = p2[k];
    w->pattern = scratch;
    w->length = n;
    w->blocks = n ? (n + 63) / 64 : 1;
    Py_ssize_t distinct = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (w->row_of[scratch[k]] < 0) w->row_of[scratch[k]] = (int32_t)distinct++;
    }
    Py_ssize_t need = (distinct ? distinct : 1) * w->blocks;
    if (need > w->mask_capacity) {
        uint64_t *masks = PyMem_Realloc(w->masks, (size_t)need * sizeof(uint64_t));
        if (masks == NULL) goto nomem;
        w->masks = masks;
        w->mask_capacity = need;
    }
    if (w->blocks > w->v_capacity) {
        uint64_t *v = PyMem_Realloc(w->v, (size_t)w->blocks * sizeof(uint64_t));
        if (v == NULL) goto nomem;
        w->v = v;
        w->v_capacity = w->blocks;
    }
    memset(w->masks, 0, (size_t)need * sizeof(uint64_t));
    for (Py_ssize_t k = 0; k < n; k++) w->masks[(Py_ssize_t)w->row_of[scratch[k]] * w->blocks + k / 64] |= (uint64_t)1 << (k % 64);
    w->rows = distinct;
    return 0;
nomem:
    for (Py_ssize_t k = 0; k < n; k++) w->row_of[scratch[k]] = -1;
    PyErr_NoMemory();
    return -1;
}

static void lcs_pattern_done(Lcs *w) {
    for (Py_ssize_t k = 0; k < w->length; k++) w->row_of[w->pattern[k]] = -1;
}

static Py_ssize_t lcs_against(Lcs *w, const Py_ssize_t *t1, Py_ssize_t n1, const Py_ssize_t *t2, Py_ssize_t n2) {
    Py_ssize_t blocks = w->blocks;
    uint64_t *v = w->v;
    for (Py_ssize_t b = 0; b < blocks; b++) v[b] = ~(uint64_t)0;
    for (Py_ssize_t k = 0; k < n1 + n2; k++) {
        int32_t row = w->row_of[k < n1 ? t1[k] : t2[k - n1]];
        if (row < 0) continue; /* no match: V + 0 | V - 0 = V */
        const uint64_t *m = w->masks + (Py_ssize_t)row * blocks;
        uint64_t carry = 0;
        for (Py_ssize_t b = 0; b < blocks; b++) {
            uint64_t u = v[b] & m[b];
            uint64_t sum = v[b] + u;
            uint64_t next_carry = sum < v[b];
            sum += carry;
            next_carry |= sum < carry;
            carry = next_carry;
            v[b] = sum | (v[b] - u);
        }
    }
    Py_ssize_t lcs = 0;
    for (Py_ssize_t b = 0; b < blocks; b++) {
        uint64_t zeros = ~v[b];
        Py_ssize_t bits = w->length - 64 * b;
        if (bits < 64) zeros &= bits > 0 ? (((uint64_t)1 << bits) - 1) : 0;
        lcs += __builtin_popcountll(zeros);
    }
    return lcs;
}

/* rapidfuzz.distance.Indel.normalized_similarity, as it computes it from the LCS. */
static inline double indel_similarity(Py_ssize_t la, Py_ssize_t lb, Py_ssize_t lcs) {
    Py_ssize_t maximum = la + lb;
    double norm_dist = maximum ? (double)(maximum - 2 * lcs) / (double)maximum : 0.0;
    return 1.0 - norm_dist;
}

static const Py_ssize_t *s_ids(const Side *s, const Py_ssize_t *ids, Py_ssize_t k) { return ids + s->first[k]; }

/* Read one text's sentences (their word keys and token ranges) and words_before. */
static int side_read(Side *s, PyObject *keys, PyObject *ranges, PyObject *words_before, Py_ssize_t tokens, Grow *flat) {
    if (!PyTuple_Check(keys) || !PyTuple_Check(ranges) || !PyTuple_Check(words_before) ||
        PyTuple_GET_SIZE(keys) != PyTuple_GET_SIZE(ranges) || PyTuple_GET_SIZE(words_before) != tokens + 1) {
        PyErr_SetString(PyExc_TypeError, "align_core: a text's sentence keys, sentences and words_before must be tuples of a prepared text");
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(keys);
    s->count = n;
    s->tokens = tokens;
    s->first = PyMem_Malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    s->hash = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(uint64_t));
    s->lo = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
    s->hi = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
    s->words_before = words_before;
    if (!s->first || !s->hash || !s->lo || !s->hi) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *sentence = PyTuple_GET_ITEM(keys, k), *range = PyTuple_GET_ITEM(ranges, k);
        if (!PyTuple_Check(sentence) || !PyTuple_Check(range) || PyTuple_GET_SIZE(range) != 2) {
            PyErr_SetString(PyExc_TypeError, "align_core: a sentence's keys and range must be tuples");
            return -1;
        }
        s->first[k] = flat->count;
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(sentence); i++) {
            PyObject **slot = grow_push(flat);
            if (slot == NULL) return -1;
            *slot = PyTuple_GET_ITEM(sentence, i);
        }
        s->lo[k] = PyLong_AsSsize_t(PyTuple_GET_ITEM(range, 0));
        s->hi[k] = PyLong_AsSsize_t(PyTuple_GET_ITEM(range, 1));
        if ((s->lo[k] == -1 || s->hi[k] == -1) && PyErr_Occurred()) return -1;
        if (s->lo[k] < 0 || s->hi[k] < s->lo[k] || s->hi[k] > tokens) {
            PyErr_SetString(PyExc_ValueError, "align_core: a sentence's range lies outside its text");
            return -1;
        }
    }
    s->first[n] = flat->count;
    return 0;
}

static void side_hashes(Side *s, const Py_ssize_t *ids) {
    for (Py_ssize_t k = 0; k < s->count; k++) {
        uint64_t x = 0x9E3779B97F4A7C15ULL ^ (uint64_t)s_len(s, k);
        for (Py_ssize_t i = s->first[k]; i < s->first[k + 1]; i++) x = (x ^ (uint64_t)ids[i]) * 0x100000001B3ULL;
        s->hash[k] = mixed(x);
    }
}

static int same_sentence(const Side *a, Py_ssize_t i, const Side *b, Py_ssize_t j, const Py_ssize_t *ids) {
    if (a->hash[i] != b->hash[j] || s_len(a, i) != s_len(b, j)) return 0;
    return same_ids(s_ids(a, ids, i), s_ids(b, ids, j), s_len(a, i));
}

/* x == y for two items of a prepared text's tuples (str: length, kind and bytes). */
static inline int items_equal(PyObject *x, PyObject *y) {
    if (x == y) return 1;
    if (PyUnicode_CheckExact(x) && PyUnicode_CheckExact(y)) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(x);
        if (n != PyUnicode_GET_LENGTH(y) || PyUnicode_KIND(x) != PyUnicode_KIND(y)) return 0;
        return memcmp(PyUnicode_DATA(x), PyUnicode_DATA(y), (size_t)n * PyUnicode_KIND(x)) == 0;
    }
    return PyObject_RichCompareBool(x, y, Py_EQ);
}

/* The sentences 0..n-1 not marked, into out; how many. */
static Py_ssize_t unmarked(const char *marked, Py_ssize_t n, Py_ssize_t *out) {
    Py_ssize_t count = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (!marked[k]) out[count++] = k;
    }
    return count;
}

/* The sentences of A and of B left unmarked (rows, cols), and the similarity of each such pair,
 * sim[r * nc + c] (align._scores; NULL when a side has none). */
typedef struct {
    Py_ssize_t *rows, *cols, nr, nc;
    double *sim;
} Scores;

static void scores_free(Scores *sc) {
    PyMem_Free(sc->rows);
    PyMem_Free(sc->cols);
    PyMem_Free(sc->sim);
}

static int unmarked_scores(const Side *a, const Side *b, const char *marked_a, const char *marked_b,
                           const Py_ssize_t *ids, Lcs *w, Py_ssize_t *scratch, Scores *sc) {
    sc->rows = PyMem_Malloc((size_t)(a->count + 1) * sizeof(Py_ssize_t));
    sc->cols = PyMem_Malloc((size_t)(b->count + 1) * sizeof(Py_ssize_t));
    if (sc->rows == NULL || sc->cols == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    sc->nr = unmarked(marked_a, a->count, sc->rows);
    sc->nc = unmarked(marked_b, b->count, sc->cols);
    if (sc->nr == 0 || sc->nc == 0) return 0;
    if ((sc->sim = PyMem_Malloc((size_t)(sc->nr * sc->nc) * sizeof(double))) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t r = 0; r < sc->nr; r++) {
        Py_ssize_t i = sc->rows[r];
        if (lcs_pattern(w, s_ids(a, ids, i), s_len(a, i), NULL, 0, scratch) < 0) return -1;
        for (Py_ssize_t c = 0; c < sc->nc; c++) {
            Py_ssize_t j = sc->cols[c];
            sc->sim[r * sc->nc + c] =
                indel_similarity(s_len(a, i), s_len(b, j), lcs_against(w, s_ids(b, ids, j), s_len(b, j), NULL, 0));
        }
        lcs_pattern_done(w);
    }
    return 0;
}

/* Two neighbouring sentences of one text against one of the other, wherever both scored at
 * least merge_threshold against it on their own: two_in_a, A's i and i + 1 against B's j (two
 * sentences merged into one); else A's i against B's j and j + 1 (one split in two). Links at
 * or above the sentence threshold are added, rows first (align._candidate_links' order). */
static int merged_links(const Side *a, const Side *b, const Py_ssize_t *ids, Lcs *w, Py_ssize_t *scratch,
                        const Scores *sc, double sentence_threshold, double merge_threshold, int two_in_a, Grow *links) {
    const Py_ssize_t *rows = sc->rows, *cols = sc->cols, nr = sc->nr, nc = sc->nc;
    const double *sim = sc->sim;
    for (Py_ssize_t r = 0; r + (two_in_a ? 1 : 0) < nr; r++) {
        Py_ssize_t i = rows[r];
        if (two_in_a && rows[r + 1] != i + 1) continue;
        int patterned = 0;
        for (Py_ssize_t c = 0; c + (two_in_a ? 0 : 1) < nc; c++) {
            Py_ssize_t j = cols[c], other = two_in_a ? (r + 1) * nc + c : r * nc + c + 1;
            if (sim[r * nc + c] < merge_threshold || sim[other] < merge_threshold) continue;
            if (!two_in_a && cols[c + 1] != j + 1) continue;
            if (!patterned) {
                const Py_ssize_t *next = two_in_a ? s_ids(a, ids, i + 1) : NULL;
                if (lcs_pattern(w, s_ids(a, ids, i), s_len(a, i), next, two_in_a ? s_len(a, i + 1) : 0, scratch) < 0) return -1;
                patterned = 1;
            }
            Py_ssize_t second = two_in_a ? 0 : s_len(b, j + 1);
            Py_ssize_t lcs = lcs_against(w, s_ids(b, ids, j), s_len(b, j), two_in_a ? NULL : s_ids(b, ids, j + 1), second);
            double score = indel_similarity(w->length, s_len(b, j) + second, lcs);
            if (score < sentence_threshold) continue;
            ALink *link = grow_push(links);
            if (link == NULL) {
                lcs_pattern_done(w);
                return -1;
            }
            *link = (ALink){i, i + (two_in_a ? 2 : 1), j, j + (two_in_a ? 1 : 2), score};
        }
        if (patterned) lcs_pattern_done(w);
    }
    return 0;
}

/* 1-1 links at or above the sentence threshold, 2-1 and 1-2 groups (align._candidate_links). */
static int candidate_links(const Side *a, const Side *b, const Py_ssize_t *ids, Lcs *w, Py_ssize_t *scratch,
                           double sentence_threshold, double merge_threshold, Grow *links) {
    int status = -1;
    char *exact_a = PyMem_Calloc((size_t)a->count + 1, 1), *exact_b = PyMem_Calloc((size_t)b->count + 1, 1);
    Scores sc = {NULL, NULL, 0, 0, NULL};
    if (!exact_a || !exact_b) {
        PyErr_NoMemory();
        goto done;
    }
    /* identical keys link at 1.0, unscored: A's sentences in order, each with every B sentence of its keys */
    for (Py_ssize_t i = 0; i < a->count; i++) {
        for (Py_ssize_t j = 0; j < b->count; j++) {
            if (!same_sentence(a, i, b, j, ids)) continue;
            ALink *link = grow_push(links);
            if (link == NULL) goto done;
            *link = (ALink){i, i + 1, j, j + 1, 1.0};
            exact_a[i] = exact_b[j] = 1;
        }
    }
    if (unmarked_scores(a, b, exact_a, exact_b, ids, w, scratch, &sc) < 0) goto done;
    for (Py_ssize_t r = 0; r < sc.nr && sc.sim != NULL; r++) {
        for (Py_ssize_t c = 0; c < sc.nc; c++) {
            double score = sc.sim[r * sc.nc + c];
            if (score < sentence_threshold) continue;
            ALink *link = grow_push(links);
            if (link == NULL) goto done;
            *link = (ALink){sc.rows[r], sc.rows[r] + 1, sc.cols[c], sc.cols[c] + 1, score};
        }
    }
    if (merged_links(a, b, ids, w, scratch, &sc, sentence_threshold, merge_threshold, 1, links) < 0 ||
        merged_links(a, b, ids, w, scratch, &sc, sentence_threshold, merge_threshold, 0, links) < 0)
        goto done;
    status = 0;
done:
    PyMem_Free(exact_a);
    PyMem_Free(exact_b);
    scores_free(&sc);
    return status;
}

/* Link indices sorted by some of a link's bounds, then by index (a stable sort, as Python's):
 * BY_START (a_lo, b_lo), BY_START_AND_A_END (a_lo, b_lo, a_hi), BY_A_END (a_hi). */
enum { BY_START, BY_START_AND_A_END, BY_A_END };
static const ALink *sorting_links;
static int sorting_by;

static int by_bounds(const void *x, const void *y) {
    Py_ssize_t i = *(const Py_ssize_t *)x, j = *(const Py_ssize_t *)y;
    const ALink *p = &sorting_links[i], *q = &sorting_links[j];
    Py_ssize_t keys[2][3] = {{p->a_lo, p->b_lo, p->a_hi}, {q->a_lo, q->b_lo, q->a_hi}};
    int first = sorting_by == BY_A_END ? 2 : 0, last = sorting_by == BY_START ? 1 : 2;
    for (int k = first; k <= last; k++) {
        if (keys[0][k] != keys[1][k]) return keys[0][k] < keys[1][k] ? -1 : 1;
    }
    return i < j ? -1 : i > j;
}

static void sort_links(Py_ssize_t *order, Py_ssize_t n, const ALink *links, int by) {
    sorting_links = links;
    sorting_by = by;
    qsort(order, (size_t)n, sizeof(Py_ssize_t), by_bounds);
}

/* The heaviest chain of links increasing in both texts (align.best_chain): `chain` gets
 * link indices in order. A link's weight is its similarity times its sentences' words. */
static int best_chain(const ALink *links, Py_ssize_t n, const Py_ssize_t *a_before, const Py_ssize_t *b_before,
                      Py_ssize_t b_count, Grow *chain) {
    int status = -1;
    Py_ssize_t *order = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
    Py_ssize_t *ending = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
    Py_ssize_t *back = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
    double *best = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(double));
    double *weight = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(double));
    double *tree_score = PyMem_Calloc((size_t)b_count + 2, sizeof(double));
    Py_ssize_t *tree_order = PyMem_Calloc((size_t)b_count + 2, sizeof(Py_ssize_t));
    if (!order || !ending || !back || !best || !weight || !tree_score || !tree_order) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        order[k] = k;
        const ALink *l = &links[k];
        Py_ssize_t length = a_before[l->a_hi] - a_before[l->a_lo] + b_before[l->b_hi] - b_before[l->b_lo];
        weight[k] = l->similarity * (double)(length > 1 ? length : 1);
    }
    sort_links(order, n, links, BY_START);
    int monotone = 1;
    for (Py_ssize_t k = 0; k + 1 < n && monotone; k++) {
        const ALink *p = &links[order[k]], *q = &links[order[k + 1]];
        monotone = p->a_hi <= q->a_lo && p->b_hi <= q->b_lo;
    }
    if (monotone) { /* every weight is positive: all of them are the chain */
        for (Py_ssize_t k = 0; k < n; k++) {
            Py_ssize_t *slot = grow_push(chain);
            if (slot == NULL) goto done;
            *slot = order[k];
        }
        status = 0;
        goto done;
    }
    sort_links(order, n, links, BY_START_AND_A_END);
    for (Py_ssize_t k = 0; k < n; k++) ending[k] = k;
    sort_links(ending, n, links, BY_A_END);
    /* A link enters the tree once its A sentences end at or before the next link's start:
     * links come by first A sentence, so those are the links ending by then (whatever
     * the order of entering, the tree keeps each prefix's maximum). */
    Py_ssize_t entered = 0, size = b_count + 2;
    for (Py_ssize_t step = 0; step < n; step++) {
        Py_ssize_t k = order[step];
        const ALink *l = &links[k];
        while (entered < n && links[ending[entered]].a_hi <= l->a_lo) {
            Py_ssize_t done_k = ending[entered++];
            double score = best[done_k];
            Py_ssize_t ord = -done_k - 1; /* among equal scores the link listed first wins */
            for (Py_ssize_t index = links[done_k].b_hi + 1; index < size; index += index & -index) {
                if (score > tree_score[index] || (score == tree_score[index] && ord > tree_order[index])) {
                    tree_score[index] = score;
                    tree_order[index] = ord;
                }
            }
        }
        double best_score = 0.0;
        Py_ssize_t best_order = 0;
        for (Py_ssize_t index = l->b_lo + 1; index > 0; index -= index & -index) {
            if (tree_score[index] > best_score || (tree_score[index] == best_score && tree_order[index] > best_order)) {
                best_score = tree_score[index];
                best_order = tree_order[index];
            }
        }
        best[k] = best_score + weight[k];
        back[k] = -best_order - 1;
    }
    Py_ssize_t last = -1;
    double top = 0.0;
    for (Py_ssize_t k = 0; k < n; k++) { /* the highest score, the link listed first among equals */
        if (last == -1 || best[k] > top) {
            last = k;
            top = best[k];
        }
    }
    Py_ssize_t start = chain->count;
    for (; last != -1; last = back[last]) {
        Py_ssize_t *slot = grow_push(chain);
        if (slot == NULL) goto done;
        *slot = last;
    }
    for (Py_ssize_t lo = start, hi = chain->count - 1; lo < hi; lo++, hi--) {
        Py_ssize_t t = GROW_AT(*chain, Py_ssize_t, lo);
        GROW_AT(*chain, Py_ssize_t, lo) = GROW_AT(*chain, Py_ssize_t, hi);
        GROW_AT(*chain, Py_ssize_t, hi) = t;
    }
    status = 0;
done:
    PyMem_Free(order);
    PyMem_Free(ending);
    PyMem_Free(back);
    PyMem_Free(best);
    PyMem_Free(weight);
    PyMem_Free(tree_score);
    PyMem_Free(tree_order);
    return status;
}

typedef struct {
    double score;
    Py_ssize_t i, j;
} MoveCandidate;

static int by_score_then_place(const void *x, const void *y) {
    const MoveCandidate *p = x, *q = y;
    if (p->score != q->score) return p->score > q->score ? -1 : 1;
    if (p->i != q->i) return p->i < q->i ? -1 : 1;
    return p->j < q->j ? -1 : p->j > q->j;
}

typedef struct {
    Py_ssize_t a_lo, a_hi, b_lo, b_hi;
    double low;
} Group;

/* Sentences left out of the chain on both sides that still match (align._pair_moves),
 * grouped into passages of consecutive sentences (align._group_moves). */
static int moved_groups(const Side *a, const Side *b, const Py_ssize_t *ids, Lcs *w, Py_ssize_t *scratch,
                        const ALink *links, const Grow *chain, double threshold, Grow *groups) {
    int status = -1;
    char *linked_a = PyMem_Calloc((size_t)a->count + 1, 1), *linked_b = PyMem_Calloc((size_t)b->count + 1, 1);
    Py_ssize_t *partner_a = PyMem_Malloc((size_t)(a->count + 1) * sizeof(Py_ssize_t));
    double *score_a = PyMem_Malloc((size_t)(a->count + 1) * sizeof(double));
    Scores sc = {NULL, NULL, 0, 0, NULL};
    Grow candidates = {NULL, 0, 0, sizeof(MoveCandidate)};
    if (!linked_a || !linked_b || !partner_a || !score_a) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < chain->count; k++) {
        const ALink *l = &links[GROW_AT(*chain, Py_ssize_t, k)];
        for (Py_ssize_t i = l->a_lo; i < l->a_hi; i++) linked_a[i] = 1;
        for (Py_ssize_t j = l->b_lo; j < l->b_hi; j++) linked_b[j] = 1;
    }
    if (unmarked_scores(a, b, linked_a, linked_b, ids, w, scratch, &sc) < 0) goto done;
    for (Py_ssize_t r = 0; r < sc.nr && sc.sim != NULL; r++) {
        for (Py_ssize_t c = 0; c < sc.nc; c++) {
            double score = sc.sim[r * sc.nc + c];
            if (score < threshold) continue;
            MoveCandidate *slot = grow_push(&candidates);
            if (slot == NULL) goto done;
            *slot = (MoveCandidate){score, sc.rows[r], sc.cols[c]};
        }
    }
    qsort(candidates.items, (size_t)candidates.count, sizeof(MoveCandidate), by_score_then_place);
    /* the best-scoring pairs first, each sentence used once; linked_a/b now mark the used */
    for (Py_ssize_t i = 0; i < a->count; i++) partner_a[i] = -1;
    for (Py_ssize_t k = 0; k < candidates.count; k++) {
        MoveCandidate *c = &GROW_AT(candidates, MoveCandidate, k);
        if (linked_a[c->i] || linked_b[c->j]) continue;
        linked_a[c->i] = linked_b[c->j] = 1;
        partner_a[c->i] = c->j;
        score_a[c->i] = c->score;
    }
    /* the pairs in A order; consecutive in both texts: one passage, its lowest score kept */
    for (Py_ssize_t i = 0; i < a->count; i++) {
        Py_ssize_t j = partner_a[i];
        if (j < 0) continue;
        Group *last = groups->count ? &GROW_AT(*groups, Group, groups->count - 1) : NULL;
        if (last != NULL && last->a_hi == i && last->b_hi == j) {
            last->a_hi = i + 1;
            last->b_hi = j + 1;
            if (score_a[i] < last->low) last->low = score_a[i];
        } else {
            Group *g = grow_push(groups);
            if (g == NULL) goto done;
            *g = (Group){i, i + 1, j, j + 1, score_a[i]};
        }
    }
    status = 0;
done:
    PyMem_Free(linked_a);
    PyMem_Free(linked_b);
    PyMem_Free(partner_a);
    PyMem_Free(score_a);
    scores_free(&sc);
    PyMem_Free(candidates.items);
    return status;
}

/* The path's runs as align._PathBuilder builds them: neighbours of one operation merged,
 * linked groups with identical keys held back and compared in one stretch. */
typedef struct {
    Grow runs; /* ARun */
    Py_ssize_t aligned_a, aligned_b;
    int pending; /* a stretch of same-key groups not yet added: same_lo .. same_hi of A from same_b of B */
    Py_ssize_t same_lo, same_hi, same_b;
    PyObject *a_keys, *b_keys, *a_units, *b_units; /* tuples */
    const Side *a, *b;
    PyObject *opcodes;
} Path;

static int path_equal_keys(Path *p, Py_ssize_t i1, Py_ssize_t i2, Py_ssize_t j1);

static int path_flush(Path *p) {
    if (!p->pending) return 0;
    p->pending = 0;
    return path_equal_keys(p, p->same_lo, p->same_hi, p->same_b);
}

static int path_add(Path *p, long op, Py_ssize_t a_lo, Py_ssize_t a_hi, Py_ssize_t b_lo, Py_ssize_t b_hi, int whole) {
    if (p->pending && path_flush(p) < 0) return -1;
    if (a_lo == a_hi && b_lo == b_hi) return 0;
    ARun *last = p->runs.count ? &GROW_AT(p->runs, ARun, p->runs.count - 1) : NULL;
    int mergeable = op == OP_EQUAL || op == OP_DELETE || op == OP_INSERT;
    if (mergeable && last != NULL && last->op == op && last->whole == whole && last->a_hi == a_lo && last->b_hi == b_lo) {
        last->a_hi = a_hi;
        last->b_hi = b_hi;
        return 0;
    }
    ARun *run = grow_push(&p->runs);
    if (run == NULL) return -1;
    *run = (ARun){op, a_lo, a_hi, b_lo, b_hi, whole};
    return 0;
}

/* Same keys: EQUAL where the units are identical, VARIANT elsewhere (a token at a time). */
static int path_equal_keys(Path *p, Py_ssize_t i1, Py_ssize_t i2, Py_ssize_t j1) {
    Py_ssize_t width = i2 - i1;
    if (i1 < 0 || i2 > PyTuple_GET_SIZE(p->a_units) || j1 < 0 || j1 + width > PyTuple_GET_SIZE(p->b_units)) {
        PyErr_SetString(PyExc_ValueError, "align_core: an aligned stretch lies outside its text");
        return -1;
    }
    Py_ssize_t before[4] = {words_before(p->a, i2), words_before(p->a, i1), words_before(p->b, j1 + width),
                            words_before(p->b, j1)};
    if ((before[0] == -1 || before[1] == -1 || before[2] == -1 || before[3] == -1) && PyErr_Occurred()) return -1;
    p->aligned_a += before[0] - before[1];
    p->aligned_b += before[2] - before[3];
    Py_ssize_t done = 0;
    for (Py_ssize_t k = 0; k < width; k++) {
        int same = items_equal(PyTuple_GET_ITEM(p->a_units, i1 + k), PyTuple_GET_ITEM(p->b_units, j1 + k));
        if (same < 0) return -1;
        if (same) continue;
        if (path_add(p, OP_EQUAL, i1 + done, i1 + k, j1 + done, j1 + k, 0) < 0 ||
            path_add(p, OP_VARIANT, i1 + k, i1 + k + 1, j1 + k, j1 + k + 1, 0) < 0)
            return -1;
        done = k + 1;
    }
    return path_add(p, OP_EQUAL, i1 + done, i2, j1 + done, j1 + width, 0);
}

/* Between two aligned stretches: A's tokens out first, then B's in. */
static int path_changed(Path *p, int any, Py_ssize_t a_lo, Py_ssize_t a_hi, Py_ssize_t b_lo, Py_ssize_t b_hi) {
    if (!any) return 0;
    if (path_add(p, OP_DELETE, a_lo, a_hi, b_lo, b_lo, 0) < 0) return -1;
    return path_add(p, OP_INSERT, a_hi, a_hi, b_lo, b_hi, 0);
}

static int keys_equal(Path *p, Py_ssize_t a_lo, Py_ssize_t a_hi, Py_ssize_t b_lo, Py_ssize_t b_hi) {
    if (a_hi - a_lo != b_hi - b_lo) return 0;
    for (Py_ssize_t k = 0; k < a_hi - a_lo; k++) {
        int same = items_equal(PyTuple_GET_ITEM(p->a_keys, a_lo + k), PyTuple_GET_ITEM(p->b_keys, b_lo + k));
        if (same <= 0) return same;
    }
    return 1;
}

static int read_opcode(PyObject *opcode, int *equal, Py_ssize_t bounds[4]) {
    if (!PyTuple_Check(opcode) || PyTuple_GET_SIZE(opcode) != 5 || !PyUnicode_Check(PyTuple_GET_ITEM(opcode, 0))) {
        PyErr_SetString(PyExc_TypeError, "align_core: opcodes must be (tag, a_start, a_end, b_start, b_end) tuples");
        return -1;
    }
    *equal = PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(opcode, 0), "equal") == 0;
    for (int k = 0; k < 4; k++) {
        bounds[k] = PyLong_AsSsize_t(PyTuple_GET_ITEM(opcode, k + 1));
        if (bounds[k] == -1 && PyErr_Occurred()) return -1;
    }
    return 0;
}

/* Word-level alignment of one linked group of sentences (align._PathBuilder.align_tokens). */
static int path_align_tokens(Path *p, Py_ssize_t a_lo, Py_ssize_t a_hi, Py_ssize_t b_lo, Py_ssize_t b_hi) {
    int same = keys_equal(p, a_lo, a_hi, b_lo, b_hi);
    if (same < 0) return -1;
    if (same) { /* the usual case: nothing but style */
        if (p->pending && p->same_hi == a_lo && p->same_b + (a_lo - p->same_lo) == b_lo) {
            p->same_hi = a_hi; /* continues the previous group in both texts */
            return 0;
        }
        if (path_flush(p) < 0) return -1;
        p->pending = 1;
        p->same_lo = a_lo;
        p->same_hi = a_hi;
        p->same_b = b_lo;
        return 0;
    }
    PyObject *a_slice = PyTuple_GetSlice(p->a_keys, a_lo, a_hi), *b_slice = NULL, *ops = NULL;
    int status = -1;
    if (a_slice == NULL || (b_slice = PyTuple_GetSlice(p->b_keys, b_lo, b_hi)) == NULL) goto done;
    if ((ops = PyObject_CallFunctionObjArgs(p->opcodes, a_slice, b_slice, NULL)) == NULL) goto done;
    if (!PyList_Check(ops)) {
        PyErr_SetString(PyExc_TypeError, "align_core: opcodes must return a list");
        goto done;
    }
    /* a changed stretch between two equal ones: its bounds */
    int any = 0;
    Py_ssize_t lo_a = 0, hi_a = 0, lo_b = 0, hi_b = 0;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(ops); k++) {
        int equal;
        Py_ssize_t r[4];
        if (read_opcode(PyList_GET_ITEM(ops, k), &equal, r) < 0) goto done;
        Py_ssize_t i1 = a_lo + r[0], i2 = a_lo + r[1], j1 = b_lo + r[2], j2 = b_lo + r[3];
        if (equal) {
            if (path_changed(p, any, lo_a, hi_a, lo_b, hi_b) < 0 || path_equal_keys(p, i1, i2, j1) < 0) goto done;
            any = 0;
        } else if (!any) {
            any = 1;
            lo_a = i1, hi_a = i2, lo_b = j1, hi_b = j2;
        } else {
            if (i1 < lo_a) lo_a = i1;
            if (i2 > hi_a) hi_a = i2;
            if (j1 < lo_b) lo_b = j1;
            if (j2 > hi_b) hi_b = j2;
        }
    }
    if (path_changed(p, any, lo_a, hi_a, lo_b, hi_b) < 0) goto done;
    status = 0;
done:
    Py_XDECREF(a_slice);
    Py_XDECREF(b_slice);
    Py_XDECREF(ops);
    return status;
}

static PyObject *runs_list(const Grow *runs) {
    PyObject *list = PyList_New(runs->count);
    if (list == NULL) return NULL;
    for (Py_ssize_t k = 0; k < runs->count; k++) {
        const ARun *r = &GROW_AT(*runs, ARun, k);
        PyObject *item = PyTuple_New(6);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, k, item);
        Py_ssize_t values[5] = {r->op, r->a_lo, r->a_hi, r->b_lo, r->b_hi};
        for (int v = 0; v < 5; v++) {
            PyObject *number = PyLong_FromSsize_t(values[v]);
            if (number == NULL) {
                Py_DECREF(list);
                return NULL;
            }
            PyTuple_SET_ITEM(item, v, number);
        }
        PyTuple_SET_ITEM(item, 5, Py_NewRef(r->whole ? Py_True : Py_False));
    }
    return list;
}

static PyObject *align_core(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 16) {
        PyErr_SetString(PyExc_TypeError,
                        "align_core(a_sentence_keys, b_sentence_keys, a_sentences, b_sentences, a_keys, b_keys, a_units, "
                        "b_units, a_words_before, b_words_before, a_len, b_len, sentence_threshold, merge_threshold, "
                        "move_threshold, opcodes)");
        return NULL;
    }
    PyObject *result = NULL, *runs = NULL, *chain_list = NULL, *group_list = NULL;
    Side a = {0}, b = {0};
    Grow flat = {NULL, 0, 0, sizeof(PyObject *)}, links = {NULL, 0, 0, sizeof(ALink)};
    Grow chain = {NULL, 0, 0, sizeof(Py_ssize_t)}, groups = {NULL, 0, 0, sizeof(Group)};
    Path path = {{NULL, 0, 0, sizeof(ARun)}, 0};
    Lcs w = {0};
    Py_ssize_t *ids = NULL, *scratch = NULL, *a_before = NULL, *b_before = NULL;
    char *moved_a = NULL, *moved_b = NULL;
    for (int k = 4; k < 10; k++) {
        if (!PyTuple_Check(args[k])) {
            PyErr_SetString(PyExc_TypeError, "align_core: a text's keys, units and words_before must be tuples");
            return NULL;
        }
    }
    Py_ssize_t a_len = PyLong_AsSsize_t(args[10]), b_len = PyLong_AsSsize_t(args[11]);
    double thresholds[3];
    for (int k = 0; k < 3; k++) {
        thresholds[k] = PyFloat_AsDouble(args[12 + k]);
        if (thresholds[k] == -1.0 && PyErr_Occurred()) return NULL;
    }
    if ((a_len == -1 || b_len == -1) && PyErr_Occurred()) return NULL;
    if (a_len != PyTuple_GET_SIZE(args[4]) || b_len != PyTuple_GET_SIZE(args[5]) || a_len != PyTuple_GET_SIZE(args[6]) ||
        b_len != PyTuple_GET_SIZE(args[7])) {
        PyErr_SetString(PyExc_ValueError, "align_core: a text's keys and units must have one item per token");
        return NULL;
    }
    Py_ssize_t keys = 0; /* every sentence's keys, for one allocation of flat */
    for (int side = 0; side < 2; side++) {
        if (!PyTuple_Check(args[side])) break; /* side_read says what is wrong */
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(args[side]); k++) {
            PyObject *sentence = PyTuple_GET_ITEM(args[side], k);
            keys += PyTuple_Check(sentence) ? PyTuple_GET_SIZE(sentence) : 0;
        }
    }
    if ((flat.items = PyMem_Malloc((size_t)(keys ? keys : 1) * sizeof(PyObject *))) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    flat.capacity = keys ? keys : 1;
    if (side_read(&a, args[0], args[2], args[8], a_len, &flat) < 0 || side_read(&b, args[1], args[3], args[9], b_len, &flat) < 0)
        goto done;
    Py_ssize_t na = a.first[a.count], n = flat.count, distinct = 0;
    if ((size_t)n >= ((size_t)1 << 29)) {
        PyErr_SetString(PyExc_OverflowError, "align_core: a pair of 2**29 words or more");
        goto done;
    }
    ids = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
    scratch = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
    if (ids == NULL || scratch == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    PyObject **words = (PyObject **)flat.items;
    if (n && word_ids(words, na, words + na, n - na, ids, &distinct) < 0) goto done;
    w.row_of = PyMem_Malloc((size_t)(distinct ? distinct : 1) * sizeof(int32_t));
    a_before = PyMem_Malloc((size_t)(a.count + 1) * sizeof(Py_ssize_t));
    b_before = PyMem_Malloc((size_t)(b.count + 1) * sizeof(Py_ssize_t));
    moved_a = PyMem_Calloc((size_t)a.count + 1, 1);
    moved_b = PyMem_Calloc((size_t)b.count + 1, 1);
    if (!w.row_of || !a_before || !b_before || !moved_a || !moved_b) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < distinct; k++) w.row_of[k] = -1;
    side_hashes(&a, ids);
    side_hashes(&b, ids);
    for (Py_ssize_t k = 0; k <= a.count; k++) a_before[k] = a.first[k] - a.first[0];
    for (Py_ssize_t k = 0; k <= b.count; k++) b_before[k] = b.first[k] - b.first[0];

    if (candidate_links(&a, &b, ids, &w, scratch, thresholds[0], thresholds[1], &links) < 0) goto done;
    const ALink *all = (const ALink *)links.items;
    if (best_chain(all, links.count, a_before, b_before, b.count, &chain) < 0) goto done;
    if (moved_groups(&a, &b, ids, &w, scratch, all, &chain, thresholds[2], &groups) < 0) goto done;
    for (Py_ssize_t k = 0; k < groups.count; k++) {
        const Group *g = &GROW_AT(groups, Group, k);
        for (Py_ssize_t i = g->a_lo; i < g->a_hi; i++) moved_a[i] = 1;
        for (Py_ssize_t j = g->b_lo; j < g->b_hi; j++) moved_b[j] = 1;
    }

    path.a_keys = args[4], path.b_keys = args[5], path.a_units = args[6], path.b_units = args[7];
    path.a = &a, path.b = &b, path.opcodes = args[15];
    Py_ssize_t next_a = 0, next_b = 0; /* the next sentences to place */
    for (Py_ssize_t k = 0; k <= chain.count; k++) {
        const ALink *link = k < chain.count ? &all[GROW_AT(chain, Py_ssize_t, k)] : NULL;
        Py_ssize_t stop_a = link ? link->a_lo : a.count, stop_b = link ? link->b_lo : b.count;
        Py_ssize_t b_pos = next_b < b.count ? b.lo[next_b] : b_len;
        for (Py_ssize_t i = next_a; i < stop_a; i++) {
            if (path_add(&path, moved_a[i] ? OP_MOVED_A : OP_DELETE, a.lo[i], a.hi[i], b_pos, b_pos, 1) < 0) goto done;
        }
        Py_ssize_t a_pos = stop_a < a.count ? a.lo[stop_a] : a_len;
        for (Py_ssize_t j = next_b; j < stop_b; j++) {
            if (path_add(&path, moved_b[j] ? OP_MOVED_B : OP_INSERT, a_pos, a_pos, b.lo[j], b.hi[j], 1) < 0) goto done;
        }
        if (link == NULL) break;
        if (path_align_tokens(&path, a.lo[link->a_lo], a.hi[link->a_hi - 1], b.lo[link->b_lo], b.hi[link->b_hi - 1]) < 0)
            goto done;
        next_a = link->a_hi, next_b = link->b_hi;
    }
    if (path_flush(&path) < 0) goto done;

    if ((runs = runs_list(&path.runs)) == NULL || (chain_list = PyList_New(chain.count)) == NULL ||
        (group_list = PyList_New(groups.count)) == NULL)
        goto done;
    for (Py_ssize_t k = 0; k < chain.count; k++) {
        const ALink *l = &all[GROW_AT(chain, Py_ssize_t, k)];
        PyObject *item = Py_BuildValue("(nnnnd)", l->a_lo, l->a_hi, l->b_lo, l->b_hi, l->similarity);
        if (item == NULL) goto done;
        PyList_SET_ITEM(chain_list, k, item);
    }
    for (Py_ssize_t k = 0; k < groups.count; k++) {
        const Group *g = &GROW_AT(groups, Group, k);
        PyObject *item = Py_BuildValue("(nnnnd)", g->a_lo, g->a_hi, g->b_lo, g->b_hi, g->low);
        if (item == NULL) goto done;
        PyList_SET_ITEM(group_list, k, item);
    }
    result = Py_BuildValue("(OOOnn)", runs, chain_list, group_list, path.aligned_a, path.aligned_b);
done:
    side_free(&a);
    side_free(&b);
    PyMem_Free(flat.items);
    PyMem_Free(links.items);
    PyMem_Free(chain.items);
    PyMem_Free(groups.items);
    PyMem_Free(path.runs.items);
    PyMem_Free(w.row_of);
    PyMem_Free(w.masks);
    PyMem_Free(w.v);
    PyMem_Free(ids);
    PyMem_Free(scratch);
    PyMem_Free(a_before);
    PyMem_Free(b_before);
    PyMem_Free(moved_a);
    PyMem_Free(moved_b);
    Py_XDECREF(runs);
    Py_XDECREF(chain_list);
    Py_XDECREF(group_list);
    return result;
}

/* -- the corpus digest's lines -------------------------------------------------------
 *
 * json_rows(rows) -> the bytes harness.corpus.reader's CorpusDigest feeds its SHA-256 for
 * those rows: each row (a tuple) as json.dumps(row, ensure_ascii=False, separators=(",",
 * ":")) encoded UTF-8, then a line feed. None when a value is neither a str nor None, or a
 * str holds a lone surrogate: the caller then takes Python's way, which writes the same
 * bytes or says what is wrong. Strings are escaped as CPython's encoder escapes them
 * with ensure_ascii=False (Modules/_json.c, escape_unicode): '"' and '\\' and \b \f \n
 * \r \t by two characters, every other character below 0x20 as \u00xx (lower-case hex),
 * every other character as it is. Each of those is one byte below 0x80 in UTF-8, and no
 * byte of a longer sequence is, so the UTF-8 bytes are escaped one by one.
 * Python's json took 24 ms for the 2.6 MB of the diff bench's 500 articles, in the
 * run's last steps while its workers sat idle; this loop takes 5 ms (BBC News's 2,225:
 * 55-75 ms and 8).
 */
/* Bytes each byte adds when escaped: 1 for the two-character escapes, 5 for \u00xx, 0
 * for a byte written as it is (filled by json_table_fill at the module's start). */
static unsigned char json_extra[256];

static void json_table_fill(void) {
    for (int c = 0; c < 0x20; c++) json_extra[c] = 5;
    json_extra['"'] = json_extra['\\'] = json_extra['\b'] = json_extra['\f'] = 1;
    json_extra['\n'] = json_extra['\r'] = json_extra['\t'] = 1;
}

static inline size_t json_escaped_size(const unsigned char *u, Py_ssize_t n) {
    size_t extra = 0;
    for (Py_ssize_t k = 0; k < n; k++) extra += json_extra[u[k]];
    return (size_t)n + extra;
}

/* Runs of bytes written as they are are copied whole (a news text escapes a line feed
 * or a quote now and then). */
static inline char *json_escaped(char *out, const unsigned char *u, Py_ssize_t n) {
    static const char hex[] = "0123456789abcdef";
    Py_ssize_t k = 0;
    while (k < n) {
        Py_ssize_t run = k;
        while (run < n && json_extra[u[run]] == 0) run++;
        memcpy(out, u + k, (size_t)(run - k));
        out += run - k;
        if (run == n) break;
        unsigned char c = u[run];
        *out++ = '\\';
        switch (c) {
        case '"': *out++ = '"'; break;
        case '\\': *out++ = '\\'; break;
        case '\b': *out++ = 'b'; break;
        case '\f': *out++ = 'f'; break;
        case '\n': *out++ = 'n'; break;
        case '\r': *out++ = 'r'; break;
        case '\t': *out++ = 't'; break;
        default:
            *out++ = 'u';
            *out++ = '0';
            *out++ = '0';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 0xF];
        }
        k = run + 1;
    }
    return out;
}

/* The UTF-8 of a str value (0), None (1), or anything else (2: the caller's way); -1 on
 * an error other than a lone surrogate's (which is 2 as well, the error cleared). */
static int json_value(PyObject *value, const char **utf8, Py_ssize_t *n) {
    if (value == Py_None) return 1;
    if (!PyUnicode_Check(value)) return 2;
    *utf8 = PyUnicode_AsUTF8AndSize(value, n);
    if (*utf8 != NULL) return 0;
    if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return -1;
    PyErr_Clear();
    return 2;
}

static PyObject *json_rows(PyObject *Py_UNUSED(module), PyObject *rows) {
    if (!PyList_Check(rows)) {
        PyErr_SetString(PyExc_TypeError, "json_rows(rows): rows must be a list of tuples");
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(rows);
    size_t size = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *row = PyList_GET_ITEM(rows, i);
        if (!PyTuple_Check(row)) {
            PyErr_SetString(PyExc_TypeError, "json_rows(rows): rows must be a list of tuples");
            return NULL;
        }
        Py_ssize_t width = PyTuple_GET_SIZE(row);
        size += 3 + (size_t)(width > 0 ? width - 1 : 0); /* [ ] \n and the commas */
        for (Py_ssize_t j = 0; j < width; j++) {
            const char *utf8 = NULL;
            Py_ssize_t n = 0;
            int kind = json_value(PyTuple_GET_ITEM(row, j), &utf8, &n);
            if (kind < 0) return NULL;
            if (kind == 2) Py_RETURN_NONE;
            size += kind == 1 ? 4 : 2 + json_escaped_size((const unsigned char *)utf8, n);
        }
    }
    if (size > (size_t)PY_SSIZE_T_MAX) return PyErr_NoMemory();
    PyObject *result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
    if (result == NULL) return NULL;
    char *out = PyBytes_AS_STRING(result);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *row = PyList_GET_ITEM(rows, i);
        Py_ssize_t width = PyTuple_GET_SIZE(row);
        *out++ = '[';
        for (Py_ssize_t j = 0; j < width; j++) {
            const char *utf8 = NULL;
            Py_ssize_t n = 0;
            if (j > 0) *out++ = ',';
            if (json_value(PyTuple_GET_ITEM(row, j), &utf8, &n) == 1) {
                memcpy(out, "null", 4);
                out += 4;
                continue;
            }
            *out++ = '"';
            out = json_escaped(out, (const unsigned char *)utf8, n);
            *out++ = '"';
        }
        *out++ = ']';
        *out++ = '\n';
    }
    return result;
}

static PyMethodDef methods[] = {
    {"unit_columns", (PyCFunction)(void (*)(void))unit_columns, METH_FASTCALL,
     "unit_columns(text, joined_marks, memo, limit, compute) -> the nine columns of prepare._Columns"},
    {"sentence_bounds", (PyCFunction)(void (*)(void))sentence_bounds, METH_FASTCALL,
     "sentence_bounds(text, hooks) -> [(start, end)] of harness.text.sentences.sentence_spans(text)"},
    {"segment_sentence_starts", (PyCFunction)(void (*)(void))segment_sentence_starts, METH_FASTCALL,
     "segment_sentence_starts(text, start, end, abbreviations) -> boilerplate._sentence_starts(text, start, end)"},
    {"sentence_ranges", (PyCFunction)(void (*)(void))sentence_ranges, METH_FASTCALL,
     "sentence_ranges(starts, bounds) -> prepare._sentence_ranges: the sentences' token ranges"},
    {"running_counts", (PyCFunction)running_counts, METH_O, "running_counts(flags) -> tuple(accumulate(flags, initial=0))"},
    {"chrome_words", (PyCFunction)(void (*)(void))chrome_words, METH_FASTCALL,
     "chrome_words(text[, limit]) -> boilerplate._WORD.findall(text)[:limit]"},
    {"chrome_word_count", (PyCFunction)(void (*)(void))chrome_word_count, METH_FASTCALL,
     "chrome_word_count(text, limit[, start, end]) -> min(len(boilerplate._WORD.findall(text[start:end])), limit)"},
    {"shingle_counts", (PyCFunction)(void (*)(void))shingle_counts, METH_FASTCALL,
     "shingle_counts(a_words, b_words, size) -> distinct size-grams of A, of B, shared"},
    {"word_counts", (PyCFunction)(void (*)(void))word_counts, METH_FASTCALL,
     "word_counts(a_words, b_words, size) -> size-gram and word counts, and the words as code points"},
    {"word_codes", (PyCFunction)(void (*)(void))word_codes, METH_FASTCALL,
     "word_codes(words, table, size) -> (codes, grams, types, gram_count, type_count) of a text (None: no code point left)"},
    {"shared_counts", (PyCFunction)(void (*)(void))shared_counts, METH_FASTCALL,
     "shared_counts(a_grams, b_grams, a_types, b_types) -> the grams and the words two texts share"},
    {"letter_balanced_ends", (PyCFunction)(void (*)(void))letter_balanced_ends, METH_FASTCALL,
     "letter_balanced_ends(a_token, b_token, eq_after, linked, first, max_changes, max_shared, letters) -> classify's ends"},
    {"ascii_segment_key", (PyCFunction)(void (*)(void))ascii_segment_key, METH_FASTCALL,
     "ascii_segment_key(text, chars, spaces, strip) -> boilerplate.normalise_segment(text) of an ASCII text, else None"},
    {"token_range", (PyCFunction)(void (*)(void))token_range, METH_FASTCALL,
     "token_range(starts, ends, start, end) -> (bisect_left(starts, start), bisect_right(ends, end))"},
    {"langid_keys", (PyCFunction)(void (*)(void))langid_keys, METH_FASTCALL,
     "langid_keys(encoded, nextmove, rowbase, output, n_features, out) -> count: language.py's feature keys, into out"},
    {"sorted_shared_counts", (PyCFunction)(void (*)(void))sorted_shared_counts, METH_FASTCALL,
     "sorted_shared_counts(hashes, offsets, x, y) -> int64 bytes: shared hashes of sets x[k], y[k]"},
    {"plain_word_hashes", (PyCFunction)(void (*)(void))plain_word_hashes, METH_FASTCALL,
     "plain_word_hashes(text, hash_word) -> the hashes of plain_word_keys(text), as uint64 bytes"},
    {"clear_word_hashes", (PyCFunction)clear_word_hashes, METH_NOARGS, "empty plain_word_hashes's cache"},
    {"word_hashes_limit", (PyCFunction)word_hashes_limit, METH_O, "word_hashes_limit(keys) -> the limit before"},
    {"token_columns", (PyCFunction)(void (*)(void))token_columns, METH_FASTCALL,
     "token_columns(text, offset) -> (texts, starts, ends, codes) of harness.text.tokens._tokenize_plain(text, offset)"},
    {"plain_word_keys", (PyCFunction)plain_word_keys, METH_O,
     "plain_word_keys(text) -> discovery's word keys of a text with only separators beyond ASCII"},
    {"known_hashes", (PyCFunction)(void (*)(void))known_hashes, METH_FASTCALL,
     "known_hashes(lists, known, hash_word) -> uint64 bytes: the hash of every key in order, through known"},
    {"minhash_fill", (PyCFunction)(void (*)(void))minhash_fill, METH_FASTCALL,
     "minhash_fill(hashes, offsets, multipliers, adds, out): discovery's MinHash minima, into out (sets x permutations)"},
    {"shingle_states", (PyCFunction)(void (*)(void))shingle_states, METH_FASTCALL,
     "shingle_states(words, counts, size) -> uint64 bytearray: every text's sealed shingle hashes, in order"},
    {"json_rows", (PyCFunction)json_rows, METH_O,
     "json_rows(rows) -> the corpus digest's lines of the rows (str and None values), as UTF-8 bytes; else None"},
    {"align_core", (PyCFunction)(void (*)(void))align_core, METH_FASTCALL,
     "align_core(a_sentence_keys, ..., opcodes) -> (runs, chain, groups, aligned_a_words, aligned_b_words) of align.align"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, .m_name = "harness.wirediff._units", .m_size = 0, .m_methods = methods,
};

PyMODINIT_FUNC PyInit__units(void) {
    json_table_fill();
    return PyModule_Create(&module);
}
