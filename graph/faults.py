"""Named points in a write where the fault tests kill the process (`kill -9` from inside).

`point("readmodel-committed")` does nothing unless the environment variable
`CASEGRAPH_KILL_AT` names that point, in which case the process sends itself SIGKILL there —
the way `tests/integration/test_faults.py` lands a kill exactly between two phases of a write.
The points, in order: `store-written` (the primary changed, nothing committed),
`readmodel-committed` (the read model committed, the store not yet published),
`published` (the new snapshot is current, the journal not yet removed), `engines-synced`.

In the server's writer process (`graph.write_process`) a point kills the server as well: the
tests model a crash of the whole server at that point of a write. `CASEGRAPH_KILL_WRITER_AT`
kills the writer alone there (the server carries on and starts another).
"""

from __future__ import annotations

import os
import signal

POINTS = ("store-written", "readmodel-committed", "published", "engines-synced")
_VARIABLE = "CASEGRAPH_KILL_AT"
_WRITER_VARIABLE = "CASEGRAPH_KILL_WRITER_AT"
IN_WRITER = False
"""Set in the server's writer process."""


def point(name: str) -> None:
    """Kill this process here if the fault tests asked for it (see the module doc)."""
    if not hasattr(signal, "SIGKILL"):
        return
    if IN_WRITER and os.environ.get(_WRITER_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get(_VARIABLE) == name:
        if IN_WRITER:
            os.kill(os.getppid(), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)


__all__ = ["POINTS", "point"]
