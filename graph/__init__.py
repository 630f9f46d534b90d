"""casegraph package."""
