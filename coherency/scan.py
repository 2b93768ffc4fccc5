"""Chunked parameter scans and toy experiments, serial, local or on a Dask cluster.

A scan that fits one machine and one that needs a cluster are the same call: the
work is cut into chunks, and the chunks run in this process (default), on a
:class:`concurrent.futures.Executor` (``executor=``), or on a ``dask.distributed``
cluster (``client=`` a :class:`distributed.Client` or a scheduler address such as
``"tcp://10.0.0.5:8786"``). Results come back in order and do not depend on the
executor:

* :func:`grid` evaluates a vectorised function over the broadcast (or, with
  ``outer=True``, the Cartesian) grid of its keyword parameters, ``chunk_size``
  points at a time. Every executor runs the same chunks, so every executor gives
  the same bits. Elementwise functions whose value at a point does not depend on
  its neighbours (the coherency cross sections, and the batch API
  :func:`coherency.batch_flux_averaged_sigma` and
  :func:`coherency.batch_event_counts`, for instance) give the same bits for any
  ``chunk_size`` too.
* :func:`toys` runs pseudo-experiments with reproducible random streams: toy ``i``
  (or block ``i`` of ``block_size`` toys) draws from
  ``numpy.random.SeedSequence(seed).spawn``'s child ``i``, whatever the chunking
  and wherever it runs, so the result depends only on ``seed`` (and
  ``block_size``).

``dask[distributed]`` is the optional extra ``dask`` (``pip install
"coherency[dask]"``), imported only when a ``client`` is given. Functions sent to a
cluster must be picklable (module-level functions, ``functools.partial`` of them;
Dask also ships lambdas with cloudpickle), and the workers need coherency
installed. The backend on the workers follows their own environment
(``COHERENCY_BACKEND``), not a :func:`coherency.use_backend` block around the call.

Examples
--------
>>> import numpy as np
>>> import coherency as coh
>>> from coherency import scan
>>> E = np.linspace(5.0, 50.0, 10)
>>> T = np.array([0.0, 1e-3, 5e-3])
>>> sigma = scan.grid(coh.sigma_total, E=E, T_min=T, target="CsI", outer=True,
...                   chunk_size=8)
>>> sigma.shape
(10, 3)
>>> bool(np.all(sigma == coh.sigma_total(E[:, None], "CsI", T[None, :])))
True
>>> def toy(rng):
...     return rng.poisson(100.0)
>>> counts = scan.toys(toy, 50, seed=7, chunk_size=16)
>>> bool(np.all(counts == scan.toys(toy, 50, seed=7, chunk_size=5)))
True
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["DEFAULT_CHUNK_SIZE", "grid", "toys"]

#: Grid points per chunk when ``chunk_size`` is not given: large enough that the
#: per-chunk overhead (a Dask task costs ~1 ms) is small next to the work, a
#: multiple of the compiled kernels' 4096-element work unit.
DEFAULT_CHUNK_SIZE = 1 << 16


# --- chunk runners (module level, so that they pickle by reference) ----------------

def _run_grid_chunk(
    func: Callable[..., Any], arrays: dict[str, np.ndarray], fixed: dict[str, Any]
) -> np.ndarray:
    n = len(next(iter(arrays.values())))
    out = np.asarray(func(**arrays, **fixed))
    if out.ndim == 0 or out.shape[0] != n:
        raise ValueError(
            f"func must return an array whose first axis has one entry per grid point; "
            f"got shape {out.shape} for a chunk of {n} points"
        )
    return out


def _toy_rng(entropy: Any, spawn_key: tuple[int, ...], index: int) -> np.random.Generator:
    # Child ``index`` of SeedSequence(entropy).spawn(...): the same stream whichever
    # chunk, process or machine draws it.
    seq = np.random.SeedSequence(entropy, spawn_key=(*spawn_key, index))
    return np.random.Generator(np.random.PCG64(seq))


def _run_toy_chunk(
    func: Callable[..., Any],
    entropy: Any,
    spawn_key: tuple[int, ...],
    first_block: int,
    block_sizes: Sequence[int],
    vectorised: bool,
    kwargs: dict[str, Any],
) -> list[Any]:
    results = []
    for k, size in enumerate(block_sizes):
        rng = _toy_rng(entropy, spawn_key, first_block + k)
        if vectorised:
            out = np.asarray(func(rng, size, **kwargs))
            if out.ndim == 0 or out.shape[0] != size:
                raise ValueError(
                    f"func(rng, n) must return an array whose first axis has n entries; "
                    f"got shape {out.shape} for n = {size}"
                )
            results.append(out)
        else:
            results.append(func(rng, **kwargs))
    return results


# --- executors ----------------------------------------------------------------------

def _check_positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int >= 1; got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1; got {value!r}")
    return int(value)


def _dask_client(client: Any) -> tuple[Any, bool]:
    """(client, owned): a Client as given, or a new one for an address string."""
    if not isinstance(client, str):
        if not (hasattr(client, "submit") and hasattr(client, "gather")):
            raise TypeError(
                "client must be a dask.distributed.Client or a scheduler address string; "
                f"got {type(client).__name__}"
            )
        return client, False
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "client= needs dask.distributed: pip install \"coherency[dask]\""
        ) from None
    return Client(client), True


def _progress_bar(total: int, progress: bool | None, what: str) -> Any:
    """A tqdm bar on stderr over ``total`` chunks, or None. ``progress`` None: only on a
    terminal, and only once the scan has taken a second; True: always; False: never."""
    show = sys.stderr.isatty() if progress is None else bool(progress)
    if not show or total < 1:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=what, unit="chunk", file=sys.stderr, leave=False,
                delay=1.0 if progress is None else 0.0)


def _run_tasks(
    runner: Callable[..., Any],
    tasks: Sequence[tuple[Any, ...]],
    client: Any,
    executor: Executor | None,
    progress: bool | None = False,
    what: str = "scan",
) -> list[Any]:
    """runner(*task) for every task, results in task order (a progress bar per
    finished chunk with ``progress``)."""
    if client is not None and executor is not None:
        raise ValueError("give either client= (Dask) or executor=, not both")
    if executor is not None and not isinstance(executor, Executor):
        raise TypeError(
            "executor must be a concurrent.futures.Executor; "
            f"got {type(executor).__name__}"
        )
    bar = _progress_bar(len(tasks), progress, what)
    try:
        if client is not None:
            dask_client, owned = _dask_client(client)
            try:
                futures = [dask_client.submit(runner, *task, pure=False) for task in tasks]
                if bar is None:
                    return list(dask_client.gather(futures))
                out = []
                for f in futures:
                    out.append(f.result())
                    bar.update(1)
                return out
            finally:
                if owned:
                    dask_client.close()
        if executor is not None:
            futures = [executor.submit(runner, *task) for task in tasks]
            results = []
            for f in futures:
                results.append(f.result())
                if bar is not None:
                    bar.update(1)
            return results
        out = []
        for task in tasks:
            out.append(runner(*task))
            if bar is not None:
                bar.update(1)
        return out
    finally:
        if bar is not None:
            bar.close()


# --- public API ---------------------------------------------------------------------

def grid(
    func: Callable[..., Any],
    *,
    chunk_size: int | None = None,
    client: Any = None,
    executor: Executor | None = None,
    outer: bool = False,
    fixed: dict[str, Any] | None = None,
    progress: bool | None = None,
    **params: Any,
) -> npt.NDArray[Any]:
    """Evaluate a vectorised function over a parameter grid, chunk by chunk.

    Parameters
    ----------
    func : callable
        Called as ``func(**chunk_params, **fixed)`` with each grid parameter a 1-D
        array of at most ``chunk_size`` points; returns an array whose first axis
        has one entry per point (further axes are kept). Example:
        :func:`coherency.sigma_total`.
    chunk_size : int, optional
        Grid points per chunk (>= 1); default :data:`DEFAULT_CHUNK_SIZE`.
    client : dask.distributed.Client or str, optional
        Run the chunks on this Dask cluster (a Client, or a scheduler address for
        which a Client is opened and closed again).
    executor : concurrent.futures.Executor, optional
        Run the chunks on this executor (threads or processes) instead.
    outer : bool
        False (default): the parameters broadcast against each other like numpy
        arrays. True: each parameter is a 1-D axis and the grid is their Cartesian
        product, shape ``(len(p1), len(p2), ...)`` in keyword order.
    fixed : dict, optional
        Extra keyword arguments passed unchanged to every call (for names that
        clash with this function's own keywords, e.g. ``{"client": ...}``).
    progress : bool, optional
        A progress bar (tqdm, on stderr) over the chunks. None (default): on a
        terminal only, and only once the scan has run for a second; False: never.
    **params : array_like or other
        Grid parameters (numbers or arrays, float64 or any numeric dtype). Strings,
        targets, sources and other non-numeric values are passed unchanged to
        every call.

    Returns
    -------
    ndarray
        Shape: the grid's shape followed by any trailing axes of ``func``'s result.

    Raises
    ------
    ValueError
        No numeric parameter; parameters that do not broadcast; chunk_size < 1;
        ``func`` returning the wrong number of points; both client and executor.
    TypeError
        ``chunk_size`` not an int; a ``client`` or ``executor`` of the wrong kind.
    ImportError
        ``client`` is an address and dask.distributed is not installed.

    Notes
    -----
    The chunks are the same whatever runs them, so serial, thread, process and
    Dask evaluations give the same bits. An elementwise ``func`` gives the same
    bits for any ``chunk_size``, and equals one call on the whole grid.

    Examples
    --------
    >>> import numpy as np, coherency as coh
    >>> q2 = np.linspace(0.0, 2000.0, 7)
    >>> out = grid(coh.dsigma_dq2, q2=q2, E=30.0, nucleus="Ar40", chunk_size=3)
    >>> bool(np.all(out == coh.dsigma_dq2(q2, 30.0, "Ar40")))
    True
    """
    size = DEFAULT_CHUNK_SIZE if chunk_size is None else _check_positive_int(
        chunk_size, "chunk_size")
    grid_params: dict[str, np.ndarray] = {}
    extra: dict[str, Any] = dict(fixed or {})
    for name, value in params.items():
        arr = np.asarray(value) if not isinstance(value, (str, bytes)) else None
        if arr is not None and arr.dtype.kind in "biuf":
            grid_params[name] = arr
        else:
            extra[name] = value
    if not grid_params:
        raise ValueError("grid needs at least one numeric parameter (a number or an array)")
    names = list(grid_params)
    if outer:
        axes = []
        for name in names:
            arr = grid_params[name]
            if arr.ndim != 1:
                raise ValueError(
                    f"with outer=True each parameter is a 1-D axis; {name} has shape "
                    f"{arr.shape}"
                )
            axes.append(arr)
        mesh = np.meshgrid(*axes, indexing="ij")
        grid_params = dict(zip(names, mesh))
    try:
        shape = np.broadcast_shapes(*(a.shape for a in grid_params.values()))
    except ValueError:
        shapes = ", ".join(f"{n} {a.shape}" for n, a in grid_params.items())
        raise ValueError(f"grid parameters do not broadcast together: {shapes}") from None
    n = math.prod(shape)
    flat = {name: np.broadcast_to(a, shape).reshape(-1) for name, a in grid_params.items()}
    tasks = [
        (func, {name: np.ascontiguousarray(a[lo:lo + size]) for name, a in flat.items()}, extra)
        for lo in range(0, n, size)
    ]
    parts = _run_tasks(_run_grid_chunk, tasks, client, executor, progress, "scan.grid")
    if not parts:  # an empty grid: ask func once for the dtype and trailing axes
        probe = _run_grid_chunk(func, {k: a[:0] for k, a in flat.items()}, extra)
        return probe.reshape(shape + probe.shape[1:])
    out = np.concatenate(parts, axis=0)
    return out.reshape(shape + out.shape[1:])


def toys(
    func: Callable[..., Any],
    n_toys: int,
    seed: int | Sequence[int] | np.random.SeedSequence,
    *,
    chunk_size: int | None = None,
    client: Any = None,
    executor: Executor | None = None,
    block_size: int | None = None,
    progress: bool | None = None,
    **kwargs: Any,
) -> npt.NDArray[Any]:
    """Run ``n_toys`` pseudo-experiments with reproducible random streams.

    Parameters
    ----------
    func : callable
        ``func(rng, **kwargs)`` for one toy (``block_size=None``), returning a
        number or an array; or, with ``block_size``, ``func(rng, n, **kwargs)``
        for ``n`` toys at once, returning an array whose first axis has ``n``
        entries. ``rng`` is a :class:`numpy.random.Generator`.
    n_toys : int
        Number of pseudo-experiments (>= 0).
    seed : int, sequence of int or numpy.random.SeedSequence
        Root of the random streams: toy (or block) ``i`` uses child ``i`` of
        ``SeedSequence(seed).spawn(...)``.
    chunk_size : int, optional
        Toys per task; default 1000 toys (rounded up to whole blocks).
    client, executor
        Where the chunks run, as in :func:`grid`.
    block_size : int, optional
        Toys per random stream for a vectorised ``func``; default None (one
        stream per toy, ``func(rng)``). The result depends on ``block_size``
        (it changes which draws each toy gets), never on ``chunk_size`` or the
        executor.
    progress : bool, optional
        A progress bar over the chunks, as in :func:`grid`.
    **kwargs
        Passed to every call of ``func``.

    Returns
    -------
    ndarray
        ``(n_toys, ...)``: the toys' results stacked in toy order.

    Raises
    ------
    ValueError
        n_toys < 0, chunk_size or block_size < 1, a vectorised ``func`` returning
        the wrong number of toys, both client and executor.
    TypeError
        A count that is not an int; a ``client``/``executor`` of the wrong kind.

    Examples
    --------
    >>> import numpy as np
    >>> def counts(rng, n):
    ...     return rng.poisson(12.5, size=n)
    >>> a = toys(counts, 10_000, seed=1, block_size=500, chunk_size=2_000)
    >>> b = toys(counts, 10_000, seed=1, block_size=500, chunk_size=3_500)
    >>> bool(np.all(a == b)), a.shape
    (True, (10000,))
    """
    if isinstance(n_toys, bool) or not isinstance(n_toys, (int, np.integer)):
        raise TypeError(f"n_toys must be an int >= 0; got {n_toys!r}")
    if n_toys < 0:
        raise ValueError(f"n_toys must be >= 0; got {n_toys!r}")
    n_toys = int(n_toys)
    block = 1 if block_size is None else _check_positive_int(block_size, "block_size")
    per_task = 1000 if chunk_size is None else _check_positive_int(chunk_size, "chunk_size")
    blocks_per_task = max(1, -(-per_task // block))
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    entropy, spawn_key = root.entropy, tuple(root.spawn_key)
    n_blocks = -(-n_toys // block)
    sizes = [min(block, n_toys - b * block) for b in range(n_blocks)]
    vectorised = block_size is not None
    tasks = [
        (func, entropy, spawn_key, first, sizes[first:first + blocks_per_task], vectorised,
         kwargs)
        for first in range(0, n_blocks, blocks_per_task)
    ]
    parts = _run_tasks(_run_toy_chunk, tasks, client, executor, progress, "scan.toys")
    results = [r for part in parts for r in part]
    if not results:
        return np.empty((0,))
    if vectorised:
        return np.concatenate(results, axis=0)
    return np.stack([np.asarray(r) for r in results])
