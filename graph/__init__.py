"""policy-graph: a knowledge graph of Chinese government agencies, policies and measures.

The way of the data, one module per stage:

    read -> normalise -> extract -> resolve -> write -> store

and then query, serve, export and audit read the store. ``graph.pipeline.build`` runs the
stages; ``graph.store.GraphStore`` is the persistent on-disk RDF store.
"""

__version__ = "0.1.0"
