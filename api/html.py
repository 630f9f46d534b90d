"""The response headers of every HTML page casegraph serves (`/id/...`, `/view/...`).

One Content-Security-Policy for all pages: nothing is loaded from anywhere (`default-src
'none'`), styles and, where a page has them, scripts are inline, images are `data:`; no base
URL, no forms, no framing. Pages without scripts (the Linked Data pages) get the same policy
without `script-src`, so injected markup could not run script there even if escaping failed.
A page with a form (the home and search pages' entity search) may submit it to this site only
(`form-action 'self'`).
"""

from __future__ import annotations

__all__ = ["html_headers", "link_target"]

_POLICY = (
    "default-src 'none'; {scripts}style-src 'unsafe-inline'; img-src data:; "
    "connect-src 'none'; base-uri 'none'; form-action {forms}; frame-ancestors 'none'"
)


def html_headers(*, scripts: bool = False, forms: bool = False) -> dict[str, str]:
    """The headers for an HTML page; `scripts` when the page runs its own inline script,
    `forms` when it has a form that submits to this site."""
    return {
        "Content-Security-Policy": _POLICY.format(
            scripts="script-src 'unsafe-inline'; " if scripts else "",
            forms="'self'" if forms else "'none'",
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def link_target(iri: object) -> str | None:
    """An `http`/`https` address as given, else None: only those become links on a page
    (a `javascript:`, `data:` or `file:` IRI from a loaded file is shown as text)."""
    text = str(iri)
    return text if text.lower().startswith(("http://", "https://")) else None
