"""Where the ontology's files live inside the installed package."""

from pathlib import Path

ONTOLOGY_DIR = Path(__file__).resolve().parent
ONTOLOGY_PATH = ONTOLOGY_DIR / "casegraph.ttl"
SHAPES_PATH = ONTOLOGY_DIR / "shapes.ttl"
CONTEXT_PATH = ONTOLOGY_DIR / "context.jsonld"
