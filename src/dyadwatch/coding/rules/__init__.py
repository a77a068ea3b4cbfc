"""The rule coder's parts: the lexicon, the dependency-pattern matcher, modality, dates.

- ``data/verbs.txt``: the verb-pattern lexicon, written for dyadwatch (all 20 CAMEO roots and
  their common sub-codes; light verbs; frame verbs). Its header gives the line format.
- ``data/frames.txt``: how frame verbs compose with the event they frame (appeal, demand,
  intent, rejection, threat, halt): "urged X to hold talks" is 026, "vowed to attack" 1384.
- ``data/themes.txt``: theme words that refine a code ("humanitarian aid" is 073).
- :mod:`~dyadwatch.coding.rules.lexicon` reads and checks the three files (``[E440]`` names the
  file and line of a bad pattern); :mod:`~dyadwatch.coding.rules.inflect` spells the forms;
  :mod:`~dyadwatch.coding.rules.patterns` applies them to a spaCy parse;
  :mod:`~dyadwatch.coding.rules.modality` reads negation, modality and the speaker;
  :mod:`~dyadwatch.coding.rules.dates` resolves "on Tuesday" against the document date.

To add a verb, add a line to ``verbs.txt`` and a golden case to
``tests/coding/golden/coder_*.jsonl``, then bump :attr:`dyadwatch.coding.coder.RuleCoder.version`
so that stores recode their documents.

>>> from dyadwatch.coding.rules import load_lexicon
>>> [(p.rule_id, p.code, [s.name for s in p.slots]) for p in load_lexicon().verbs["impose"]][:1]
[('impose.1', '163', ['on', 'against'])]
"""

from __future__ import annotations

from dyadwatch.coding.rules.dates import TextDate, find_dates
from dyadwatch.coding.rules.lexicon import Lexicon, load_lexicon
from dyadwatch.coding.rules.modality import MODALITIES, Context
from dyadwatch.coding.rules.patterns import Found, Matcher

__all__ = ["MODALITIES", "Context", "Found", "Lexicon", "Matcher", "TextDate", "find_dates", "load_lexicon"]
