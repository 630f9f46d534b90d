"""Routers, one module per surface: REST (`rest` and its resources), SPARQL, Graph Store, Cypher,
Linked Data."""

from api.routes import cypher, graph_store, linked_data, rest, sparql

__all__ = ["cypher", "graph_store", "linked_data", "rest", "sparql"]
