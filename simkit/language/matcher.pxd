# Compiled with matcher.py (setup.py): C integers for the token indices of the pattern walk,
# which every candidate of every sentence goes through. The .py runs the same without them.
import cython

@cython.locals(i=cython.Py_ssize_t, j=cython.Py_ssize_t, done=cython.Py_ssize_t, end=cython.Py_ssize_t, out=list)
cdef tuple _hits(list entries, object tokens, Py_ssize_t first, Py_ssize_t last)

@cython.locals(skip=cython.Py_ssize_t, found=cython.Py_ssize_t)
cdef Py_ssize_t _match_from(object slots, Py_ssize_t k, object tokens, Py_ssize_t i, Py_ssize_t end) except? -2
