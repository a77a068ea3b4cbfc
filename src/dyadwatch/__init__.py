"""dyadwatch: political event data for a pair of actors.

>>> import dyadwatch
>>> lib = dyadwatch.open(":memory:")
>>> lib.count_documents()
0
"""

from __future__ import annotations

from dyadwatch.api import Library, open
from dyadwatch.errors import DyadwatchError
from dyadwatch.records import Actor, Document, Event, Mention, Role, Sentence

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "Document",
    "DyadwatchError",
    "Event",
    "Library",
    "Mention",
    "Role",
    "Sentence",
    "__version__",
    "open",
]
