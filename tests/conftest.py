"""Settings shared by every test: Hypothesis without deadlines.

Hypothesis fails a test case that runs longer than 200 ms by default; on a shared, busy machine
that is a timing assertion in disguise. Speed is measured by `benchmarks/`, not by tests.
"""

from hypothesis import settings

settings.register_profile("casegraph", deadline=None)
settings.load_profile("casegraph")
