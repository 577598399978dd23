/* The columns of a text's units in one pass: harness.wirediff.prepare's unit path, in C.
 *
 * prepare._columns cuts a text into units (the whitespace before a token plus the
 * token: harness.wirediff.tokens' `re` pattern, read by findall), looks every unit up
 * in a memo of its facts, and reads eight columns out of the facts with map and
 * itemgetter. Those passes build and free a list or a tuple per column and per unit:
 * most of the time prepare spends on a token. Here one loop does all of it.
 *
 *     unit_columns(text, joined_marks, memo, limit, compute)
 *         -> (texts, starts, ends, is_word, units, folded, flags, lowered)
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
enum { COL_TEXTS, COL_STARTS, COL_ENDS, COL_WORD, COL_UNITS, COL_FOLDED, COL_FLAGS, COL_LOWERED, COLUMNS };

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

static PyObject *columns_of(PyObject *text, const Spans *spans, PyObject *memo, Py_ssize_t limit, PyObject *compute) {
    Py_ssize_t n = spans->count;
    PyObject *columns[COLUMNS] = {NULL};
    for (int c = 0; c < COLUMNS; c++) {
        columns[c] = c == COL_FLAGS ? PyList_New(n) : PyTuple_New(n);
        if (columns[c] == NULL) goto fail;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t start = spans->starts[k], end = spans->ends[k];
        PyObject *unit = PyUnicode_Substring(text, k ? spans->ends[k - 1] : 0, end);
        if (unit == NULL) goto fail;
        PyTuple_SET_ITEM(columns[COL_UNITS], k, unit); /* the column owns it */
        PyObject *fact = fact_of(unit, memo, limit, compute);
        if (fact == NULL) goto fail;
        if (!PyTuple_CheckExact(fact) || PyTuple_GET_SIZE(fact) != FACT_FIELDS) {
            PyErr_SetString(PyExc_TypeError, "unit_columns: a memo entry is not a tuple of 6 facts");
            goto fail;
        }
        PyObject *starts = PyLong_FromSsize_t(start), *ends = PyLong_FromSsize_t(end);
        if (starts == NULL || ends == NULL) {
            Py_XDECREF(starts);
            Py_XDECREF(ends);
            goto fail;
        }
        PyTuple_SET_ITEM(columns[COL_STARTS], k, starts);
        PyTuple_SET_ITEM(columns[COL_ENDS], k, ends);
        PyTuple_SET_ITEM(columns[COL_TEXTS], k, Py_NewRef(PyTuple_GET_ITEM(fact, FACT_TOKEN)));
        PyTuple_SET_ITEM(columns[COL_WORD], k, Py_NewRef(PyTuple_GET_ITEM(fact, FACT_WORD)));
        PyTuple_SET_ITEM(columns[COL_FOLDED], k, Py_NewRef(PyTuple_GET_ITEM(fact, FACT_KEY)));
        PyList_SET_ITEM(columns[COL_FLAGS], k, Py_NewRef(PyTuple_GET_ITEM(fact, FACT_FLAGS)));
        PyTuple_SET_ITEM(columns[COL_LOWERED], k, Py_NewRef(PyTuple_GET_ITEM(fact, FACT_LOWERED)));
    }
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
                                                          : columns_of(text, &spans, memo, limit, compute);
    PyMem_Free(spans.starts);
    PyMem_Free(spans.ends);
    return result;
}

static PyMethodDef methods[] = {
    {"unit_columns", (PyCFunction)(void (*)(void))unit_columns, METH_FASTCALL,
     "unit_columns(text, joined_marks, memo, limit, compute) -> the eight columns of prepare._Columns"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, .m_name = "harness.wirediff._units", .m_size = 0, .m_methods = methods,
};

PyMODINIT_FUNC PyInit__units(void) { return PyModule_Create(&module); }
