"""What a worker process keeps between batches: unpickled coders with their loaded models.

A task carries its coder as pickled settings (a :class:`~dyadwatch.coding.coder.RuleCoder`
pickles without its models). The first task on a worker unpickles it and loads the models;
every later task with the same settings gets the same object back, so the spaCy pipeline,
the matcher and the classifier load once per worker, not once per task. Objects are kept
per thread: a coder counts its statistics on itself and must not be shared by two threads.

>>> import pickle
>>> blob = pickle.dumps({"settings": 1})
>>> shared_object(blob) is shared_object(blob)
True
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from collections import OrderedDict
from typing import Any

__all__ = ["shared_object", "worker_name"]

_KEEP = 8  # distinct objects kept per process (a run uses one or two)
_objects: OrderedDict[tuple[str, int], Any] = OrderedDict()
_lock = threading.Lock()


def shared_object(blob: bytes) -> Any:
    """The object pickled in ``blob``, unpickled once per worker process and thread."""
    key = (hashlib.blake2b(blob, digest_size=16).hexdigest(), threading.get_ident())
    with _lock:
        found = _objects.get(key)
        if found is not None:
            _objects.move_to_end(key)
            return found
    made = pickle.loads(blob)
    with _lock:
        _objects[key] = made
        while len(_objects) > _KEEP:
            _objects.popitem(last=False)
    return made


def worker_name() -> str:
    """This worker's name in messages: its Dask address, else host and pid."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"{os.uname().nodename} pid {os.getpid()}"
