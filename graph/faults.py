"""Named points in a write where the fault tests kill the process (`kill -9` from inside).

`point("readmodel-committed")` does nothing unless the environment variable
`CASEGRAPH_KILL_AT` names that point, in which case the process sends itself SIGKILL there —
the way `tests/integration/test_faults.py` lands a kill exactly between two phases of a write.
The points, in order: `store-written` (the primary changed, nothing committed),
`readmodel-committed` (the read model committed, the store not yet published),
`published` (the new snapshot is current, the journal not yet removed), `engines-synced`.
"""

from __future__ import annotations

import os
import signal

POINTS = ("store-written", "readmodel-committed", "published", "engines-synced")
_VARIABLE = "CASEGRAPH_KILL_AT"


def point(name: str) -> None:
    """Kill this process here if the fault tests asked for it (see the module doc)."""
    if os.environ.get(_VARIABLE) == name and hasattr(signal, "SIGKILL"):
        os.kill(os.getpid(), signal.SIGKILL)


__all__ = ["POINTS", "point"]
