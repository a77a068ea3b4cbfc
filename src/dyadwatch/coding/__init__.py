"""Sentences to events: the ontology (CAMEO, PLOVER, Goldstein, quad class), rules and models."""
