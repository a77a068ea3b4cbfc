"""Studies: a study file (TOML) -> measures of dyads over time -> hypotheses -> verdicts.

``dyadwatch study STUDY.toml --out DIR`` and :meth:`dyadwatch.api.Library.study` run a study;
the results format is described in ``RESULTS_FORMAT.md`` beside this file. The parts:
:mod:`~dyadwatch.study.spec` (the study file), :mod:`~dyadwatch.study.measures` (aggregation in
DuckDB), :mod:`~dyadwatch.study.frames` (frame shares of sentences), :mod:`~dyadwatch.study.methods`
(the estimators), :mod:`~dyadwatch.study.verdicts` (estimate -> verdict) and
:mod:`~dyadwatch.study.run` (the whole run and its files).
"""

from __future__ import annotations

from dyadwatch.study.spec import StudySpec, load_study

__all__ = ["StudySpec", "load_study"]
