"""Schemathesis hooks for the casegraph run: bodies of SPARQL and RDF media types are text."""

import schemathesis

schemathesis.serializer.alias(
    ["application/sparql-query", "application/sparql-update", "application/n-triples"],
    "text/plain",
)
