"""The actor dictionary (dated roles) and the resolver from text mentions to actor codes.

>>> from dyadwatch.actors import ActorDictionary
>>> actors = ActorDictionary.load()
>>> r = actors.lookup("Taliban", "2021-10-20")
>>> r.code, r.role.title
('AFGGOV', 'de facto government of Afghanistan')
>>> [m.country + m.sector for m in actors.resolver().tag("Russian Foreign Minister Sergey Lavrov said", "2021-10-20")]
['RUSGOV']
"""

from __future__ import annotations

from dyadwatch.actors.dictionary import KINDS, ActorDictionary, AliasEntry, check, default_paths
from dyadwatch.actors.importers import (
    import_countryinfo,
    import_petrarch_actors,
    import_petrarch_agents,
)
from dyadwatch.actors.resolver import Resolution, Resolver

__all__ = [
    "KINDS",
    "ActorDictionary",
    "AliasEntry",
    "Resolution",
    "Resolver",
    "check",
    "default_paths",
    "import_countryinfo",
    "import_petrarch_actors",
    "import_petrarch_agents",
]
