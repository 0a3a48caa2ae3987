"""passkit's tests, one folder per package of passkit (tests/apple/ tests passkit/apple/, and
so on), tests/core/ for passkit's top-level modules, tests/hostile/ for hostile input across
packages, tests/benchmarks/ for the benchmark commands.

Every folder is a package, so that two folders may hold test modules of the same name and
every module imports its helpers by their full name: `from tests.support.layout import ...`
for the helpers several folders use (tests/support/), `from tests.service.support import ...`
for those beside the tests of one folder. pytest (in its default `prepend` import mode) puts
the repository's root on sys.path for this.
"""
