"""The methods some route takes on a path, for `OPTIONS` and the `Allow` header (`api.http`).

Starlette's 405 lists the methods of one route; the true `Allow` is every method any route
takes on that path, found by asking the router with a probe request per method (and kept per
path).
"""

from __future__ import annotations

from starlette.routing import Match, Router

PROBED_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
_CACHE_SIZE = 1024


class AllowedMethods:
    """What `Allow` says for each path of one router."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self._cache: dict[str, tuple[str, ...]] = {}

    def methods(self, path: str, root_path: str = "") -> tuple[str, ...]:
        """The methods some route takes on `path` (HEAD with GET), without OPTIONS."""
        found = self._cache.get(path)
        if found is None:
            routes = self.router.routes
            names: list[str] = []
            for method in PROBED_METHODS:
                probe = {
                    "type": "http",
                    "path": path,
                    "root_path": root_path,
                    "method": method,
                    "headers": [],
                    "query_string": b"",
                }
                if any(route.matches(probe)[0] is Match.FULL for route in routes):
                    names.append(method)
                    if method == "GET":
                        names.append("HEAD")
            found = tuple(names)
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[path] = found
        return found

    def allow(self, path: str, root_path: str = "") -> str:
        """The `Allow` header's value ("" for a path no route takes)."""
        methods = self.methods(path, root_path)
        return ", ".join((*methods, "OPTIONS")) if methods else ""


__all__ = ["PROBED_METHODS", "AllowedMethods"]
