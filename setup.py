"""Builds the modules that pyproject.toml lists under [tool.simkit] compiled as C extensions.

Every reply a trainee writes goes through them; compiled with Cython, the same Python runs about a
fifth faster (benchmarks/bench_score.py, ../shared/tools/speed_vs_convokit.py). The sources stay
plain Python: where no C compiler is found an extension is skipped and its source runs, and an
extension older than its source is passed over (simkit/language/freshness.py).
"""

import os
import tomllib

from setuptools import setup

with open("pyproject.toml", "rb") as f:
    COMPILED = tomllib.load(f)["tool"]["simkit"]["compiled"]

try:
    from Cython.Build import cythonize
except ImportError:  # a build without its declared requirements: the sources run as they are
    extensions = []
else:
    # Annotations are read as documentation, not as C types: a compiled module must behave exactly
    # as its source does (an "int" annotation would otherwise make a C integer that can overflow).
    directives = {"language_level": 3, "annotation_typing": False}
    extensions = cythonize(COMPILED, compiler_directives=directives, nthreads=os.cpu_count() or 1, quiet=True)
    for extension in extensions:
        extension.optional = True  # a module that fails to build stays plain Python
        if os.name == "posix":
            # without debug symbols, a third faster to build; they serve no one reading a trainee's score
            extension.extra_compile_args += ["-g0"]

# the extensions are built side by side on every core (setup.sh builds them on each run)
setup(ext_modules=extensions, options={"build_ext": {"parallel": os.cpu_count() or 1}})
