"""A form body on `/sparql` read with the write token in mind (issue 15, finding 5).

A form may hold a query (no token needed) or an update (token needed), so the token cannot be
required before the body is read. Without a valid token the body is read field by field and
an `update` field is refused (401/403) as soon as its name has arrived: a 200 MB `update=`
form with no token costs the server one chunk, not 200 MB.
"""

from __future__ import annotations

from urllib.parse import unquote_plus

from fastapi import Request

from api.deps import AppState, check_write_token
from ontology.errors import CasegraphError


async def form_body(request: Request, state: AppState) -> bytes:
    """A form's body; without a valid token, an `update` field is refused (401/403) as soon
    as its name has arrived, before the rest of the body is read (a form may hold a query or
    an update, so the token cannot be required up front)."""
    try:
        check_write_token(state, request.headers.get("authorization"))
    except CasegraphError:
        pass
    else:
        return await request.body()
    body = bytearray()
    field_start = 0  # where the current field's name begins
    in_value = False  # past the current field's '=': look only for the next '&'
    scanned = 0
    async for chunk in request.stream():
        body += chunk
        while True:
            if in_value:
                amp = body.find(b"&", scanned)
                if amp < 0:
                    scanned = len(body)
                    break
                field_start = scanned = amp + 1
                in_value = False
            end = _name_end(body, field_start)
            if end < 0:
                scanned = len(body)
                break
            name = unquote_plus(bytes(body[field_start:end]).decode("utf-8", "replace"))
            if name == "update":
                check_write_token(state, request.headers.get("authorization"))
            if body[end : end + 1] == b"&":
                field_start = scanned = end + 1
            else:
                scanned, in_value = end + 1, True
    return bytes(body)


def _name_end(body: bytearray, start: int) -> int:
    """Where the field name starting at `start` ends (its '=' or '&'), or -1: not yet known."""
    ends = [i for i in (body.find(b"=", start), body.find(b"&", start)) if i >= 0]
    return min(ends) if ends else -1


__all__ = ["form_body"]
