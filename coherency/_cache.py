"""The package's one cache mechanism.

Two kinds of caches, both registered here so that :func:`clear_caches` empties every
one of them and :func:`cache_info` reports their sizes:

* :func:`memoize`: a bounded LRU cache of a function of frozen, hashable objects
  (sources, targets and form factors are frozen dataclasses: equal keys describe the
  same physics, so a cached value can never be stale). Calls whose arguments are not
  frozen (a user's mutable source) or not hashable run the function directly.
  Values that the kernels compute are keyed by the backend in force as well, so a
  result never depends on which backend filled the cache.
* :class:`BoundedDict`: a small dict cache for the scalar fast paths (names to
  masses, plans of cross sections), emptied when it reaches its size.

Both are safe to use from several threads (``functools.lru_cache`` and single dict
operations are atomic under the GIL; a race only computes a value twice).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar

from . import _backend

__all__ = ["BoundedDict", "cache_info", "clear_caches", "is_frozen", "memoize"]

#: Entries of each :func:`memoize` cache.
CACHE_SIZE = 256

P = ParamSpec("P")
R = TypeVar("R")
K = TypeVar("K")
V = TypeVar("V")

_REGISTRY: dict[str, Any] = {}
_FROZEN_TYPES: dict[type, int] = {}


def _register(name: str, cache: Any) -> None:
    if name in _REGISTRY:
        raise RuntimeError(f"a cache named {name!r} is already registered")
    _REGISTRY[name] = cache


# What is_frozen knows of a type: plain value, tuple (parts checked), frozen dataclass
# (its ``components`` checked), or not frozen.
_PLAIN, _TUPLE, _DATACLASS, _MUTABLE = range(4)


def _kind_of(kind: type) -> int:
    if issubclass(kind, (str, int, float, bool)) or kind is type(None):
        return _PLAIN
    if issubclass(kind, tuple):
        return _TUPLE
    params = getattr(kind, "__dataclass_params__", None)
    if dataclasses.is_dataclass(kind) and params is not None and params.frozen:
        return _DATACLASS
    return _MUTABLE


def is_frozen(obj: Any) -> bool:
    """True for an instance of a frozen dataclass whose parts (``components`` of a
    :class:`~coherency.sources.SourceSum`, a tuple) are frozen too; plain str, int,
    float, bool, None and tuples of them count as frozen."""
    kind = type(obj)
    what = _FROZEN_TYPES.get(kind)
    if what is None:
        what = _FROZEN_TYPES[kind] = _kind_of(kind)
    if what == _PLAIN:
        return True
    if what == _TUPLE:
        for part in obj:
            if not is_frozen(part):
                return False
        return True
    if what == _MUTABLE:
        return False
    parts = getattr(obj, "components", None)
    if isinstance(parts, tuple):
        for part in parts:
            if not is_frozen(part):
                return False
    return True


def memoize(name: str, *, maxsize: int = CACHE_SIZE, per_backend: bool = True
            ) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: cache ``fn(*args)`` when every argument is frozen and hashable.

    Parameters
    ----------
    name : str
        Name of the cache in :func:`cache_info` (unique).
    maxsize : int
        Entries kept (least recently used first out).
    per_backend : bool
        Key the cache by the backend in force too (values computed by the kernels).

    The wrapped function keeps the name ``uncached`` for the direct call.
    """

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.lru_cache(maxsize=maxsize)
        def cached(backend: str, *args: Any) -> R:
            return fn(*args)  # type: ignore[call-arg]

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if kwargs:
                return fn(*args, **kwargs)
            for a in args:
                if not is_frozen(a):
                    return fn(*args)  # type: ignore[call-arg]
            backend = _backend.get_backend() if per_backend else ""
            try:
                return cached(backend, *args)
            except TypeError:  # a frozen dataclass with an unhashable field
                return fn(*args)  # type: ignore[call-arg]

        wrapper.uncached = fn  # type: ignore[attr-defined]
        wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        _register(name, cached)
        return wrapper

    return decorate


class BoundedDict(Generic[K, V]):
    """A dict cache of at most ``maxsize`` entries, emptied when full (for hot scalar
    paths, where an LRU's bookkeeping would cost more than the value)."""

    def __init__(self, name: str, maxsize: int = CACHE_SIZE) -> None:
        self.maxsize = maxsize
        self._data: dict[K, V] = {}
        _register(name, self)

    def get(self, key: K) -> V | None:
        return self._data.get(key)

    def __setitem__(self, key: K, value: V) -> None:
        if len(self._data) >= self.maxsize:
            self._data.clear()
        self._data[key] = value

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        self._data.clear()

    def cache_clear(self) -> None:
        self._data.clear()


def _size(cache: Any) -> int:
    info = getattr(cache, "cache_info", None)
    if info is not None:
        return int(info().currsize)
    return len(cache)


def clear_caches() -> None:
    """Empty every cache of the package (energy rules, flux-moment models, q grids,
    kernel inputs per target, scalar-path plans, name lookups).

    Results never depend on what is cached; this frees memory, or makes a
    benchmark measure the cold path.

    Examples
    --------
    >>> import coherency as coh
    >>> coh.clear_caches()
    >>> sum(coh.cache_info().values())
    0
    """
    for cache in _REGISTRY.values():
        cache.cache_clear()


def cache_info() -> dict[str, int]:
    """Number of entries in each of the package's caches, by name."""
    return {name: _size(cache) for name, cache in sorted(_REGISTRY.items())}
