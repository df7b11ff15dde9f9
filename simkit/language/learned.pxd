# Compiled with learned.py (setup.py): C integers for the loop over a sentence's words, which
# every word of every reply goes through. The .py runs the same without them.
import cython

@cython.locals(
    i=cython.Py_ssize_t,
    clause=cython.Py_ssize_t,
    last_clause=cython.Py_ssize_t,
    negated_until=cython.Py_ssize_t,
    flagged=cython.Py_ssize_t,
    state=cython.long,
    holds=cython.long,
    asked=cython.long,
    quoted=cython.bint,
    negator=cython.bint,
    pairs=dict,
)
cdef dict _features(object tokens, Py_ssize_t first, Py_ssize_t last, dict words, object word_of, Py_ssize_t window, dict deeds, bint question)

cdef object _weigh_deed(dict found, dict deeds, long state)
cdef object _deed(long state)
