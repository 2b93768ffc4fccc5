"""coherency.scan: chunked grids and toys give the serial answer bit for bit, on
threads, processes and a Dask LocalCluster; random streams do not depend on the
chunking or on the executor."""

from __future__ import annotations

import functools
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

import coherency as coh
from coherency import scan

# Small grids: the numpy twin integrates sigma with adaptive quad (slow).
E = np.linspace(3.0, 60.0, 9)
T = np.array([0.0, 1e-3, 1e-2])


def _sigma_csi(E: np.ndarray, T_min: np.ndarray) -> np.ndarray:
    return np.asarray(coh.sigma_total(E, "CsI", T_min))


def _counts(rng: np.random.Generator, n: int, mean: float = 40.0) -> np.ndarray:
    return rng.poisson(mean, size=n)


def _one_toy(rng: np.random.Generator, mean: float = 40.0) -> np.ndarray:
    # A small "experiment": counts in three bins and a Gaussian nuisance.
    return np.array([*rng.poisson(mean, size=3), rng.normal()])


# --- grid ---------------------------------------------------------------------------

def test_grid_outer_equals_direct_call(backend: str) -> None:
    direct = np.asarray(coh.sigma_total(E[:, None], "CsI", T[None, :]))
    for chunk in (1, 7, None):
        got = scan.grid(coh.sigma_total, E=E, T_min=T, target="CsI", outer=True,
                        chunk_size=chunk)
        assert got.shape == (E.size, T.size)
        np.testing.assert_array_equal(got, direct)  # elementwise: same bits


def test_grid_broadcasts_and_keeps_trailing_axes() -> None:
    q2 = np.linspace(0.0, 3000.0, 12).reshape(3, 4)
    got = scan.grid(coh.dsigma_dq2, q2=q2, E=np.array([[20.0], [30.0], [50.0]]),
                    nucleus="Ar40", chunk_size=5)
    np.testing.assert_array_equal(got, coh.dsigma_dq2(q2, [[20.0], [30.0], [50.0]], "Ar40"))

    def two_columns(x: np.ndarray) -> np.ndarray:
        return np.stack([x, 2 * x], axis=1)

    out = scan.grid(two_columns, x=np.arange(10.0).reshape(2, 5), chunk_size=3)
    assert out.shape == (2, 5, 2)
    np.testing.assert_array_equal(out[..., 1], 2 * np.arange(10.0).reshape(2, 5))


def test_grid_fixed_and_empty() -> None:
    got = scan.grid(coh.q2_max, E=np.array([1.0, 2.0]), fixed={"mass": 1000.0})
    np.testing.assert_array_equal(got, coh.q2_max(np.array([1.0, 2.0]), 1000.0))
    empty = scan.grid(coh.q2_max, E=np.array([]), mass=1000.0)
    assert empty.shape == (0,)


def test_grid_executors_give_the_serial_bits() -> None:
    serial = scan.grid(_sigma_csi, E=E, T_min=T, outer=True, chunk_size=10)
    with ThreadPoolExecutor(2) as pool:
        threaded = scan.grid(_sigma_csi, E=E, T_min=T, outer=True, chunk_size=10,
                             executor=pool)
    np.testing.assert_array_equal(threaded, serial)


def test_grid_bad_input() -> None:
    with pytest.raises(ValueError, match="chunk_size must be >= 1"):
        scan.grid(coh.q2_max, E=E, mass=1000.0, chunk_size=0)
    with pytest.raises(TypeError, match="chunk_size"):
        scan.grid(coh.q2_max, E=E, mass=1000.0, chunk_size=2.5)
    with pytest.raises(ValueError, match="do not broadcast"):
        scan.grid(coh.q2_max, E=np.ones(3), mass=np.ones(4) * 1000.0)
    with pytest.raises(ValueError, match="numeric parameter"):
        scan.grid(coh.q2_max, mass="Ar40")
    with pytest.raises(ValueError, match="1-D axis; E"):
        scan.grid(coh.q2_max, E=np.ones((2, 2)), mass=np.ones(3), outer=True)
    with pytest.raises(ValueError, match="first axis"):
        scan.grid(lambda x: np.sum(x), x=np.ones(5))
    with pytest.raises(ValueError, match="not both"), ThreadPoolExecutor(1) as pool:
        scan.grid(coh.q2_max, E=E, mass=1.0, executor=pool, client="tcp://x:1")
    with pytest.raises(TypeError, match="executor"):
        scan.grid(coh.q2_max, E=E, mass=1.0, executor=object())
    with pytest.raises(TypeError, match="client"):
        scan.grid(coh.q2_max, E=E, mass=1.0, client=object())
    # Errors of func itself come through unchanged.
    with pytest.raises(ValueError, match="E must be >= 0 MeV"):
        scan.grid(coh.q2_max, E=np.array([1.0, -1.0]), mass=1000.0)


# --- toys ---------------------------------------------------------------------------

def test_toys_independent_of_chunking() -> None:
    ref = scan.toys(_one_toy, 37, seed=2026)
    assert ref.shape == (37, 4)
    for chunk in (1, 5, 36, 37, 1000):
        np.testing.assert_array_equal(scan.toys(_one_toy, 37, seed=2026, chunk_size=chunk), ref)
    # Toy i uses child i of SeedSequence(seed).spawn(...).
    children = np.random.SeedSequence(2026).spawn(37)
    np.testing.assert_array_equal(ref[11], _one_toy(np.random.default_rng(children[11])))
    # Another seed, other toys; a prefix of toys is the same toys.
    assert not np.array_equal(scan.toys(_one_toy, 37, seed=2027), ref)
    np.testing.assert_array_equal(scan.toys(_one_toy, 10, seed=2026), ref[:10])


def test_toys_vectorised_blocks() -> None:
    ref = scan.toys(_counts, 10_001, seed=5, block_size=1000)
    assert ref.shape == (10_001,)
    for chunk in (999, 1000, 4321, 20_000):
        got = scan.toys(_counts, 10_001, seed=5, block_size=1000, chunk_size=chunk)
        np.testing.assert_array_equal(got, ref)
    # kwargs reach func; Poisson mean within 5 sigma of the asked 40 (or 7).
    assert abs(ref.mean() - 40.0) < 5 * np.sqrt(40.0 / ref.size)
    seven = scan.toys(_counts, 5000, seed=5, block_size=1000, mean=7.0)
    assert abs(seven.mean() - 7.0) < 5 * np.sqrt(7.0 / seven.size)
    assert scan.toys(_counts, 0, seed=5, block_size=10).shape == (0,)


def test_toys_executors_give_the_serial_bits() -> None:
    ref = scan.toys(_one_toy, 40, seed=9, chunk_size=6)
    with ThreadPoolExecutor(2) as pool:
        np.testing.assert_array_equal(
            scan.toys(_one_toy, 40, seed=9, chunk_size=6, executor=pool), ref)
    with ProcessPoolExecutor(2) as pool:
        np.testing.assert_array_equal(
            scan.toys(_one_toy, 40, seed=9, chunk_size=13, executor=pool), ref)


def test_toys_bad_input() -> None:
    with pytest.raises(ValueError, match="n_toys must be >= 0"):
        scan.toys(_one_toy, -1, seed=1)
    with pytest.raises(TypeError, match="n_toys"):
        scan.toys(_one_toy, 2.0, seed=1)
    with pytest.raises(ValueError, match="block_size must be >= 1"):
        scan.toys(_counts, 5, seed=1, block_size=0)
    with pytest.raises(ValueError, match="first axis has n entries"):
        scan.toys(lambda rng, n: rng.normal(size=n + 1), 5, seed=1, block_size=2)


# --- Dask ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dask_client():  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip("distributed", reason="dask[distributed] not installed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=40,
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def test_dask_grid_and_toys_equal_serial(dask_client) -> None:  # type: ignore[no-untyped-def]
    serial = scan.grid(_sigma_csi, E=E, T_min=T, outer=True, chunk_size=4)
    on_dask = scan.grid(_sigma_csi, E=E, T_min=T, outer=True, chunk_size=4,
                        client=dask_client)
    np.testing.assert_array_equal(on_dask, serial)
    # A partial of a public function and a string target travel to the workers.
    fn = functools.partial(coh.dsigma_dT, nucleus="Ge", form_factor="klein-nystrand")
    T2 = np.linspace(0.0, 2e-2, 50)
    np.testing.assert_array_equal(
        scan.grid(fn, T=T2, E=40.0, chunk_size=16, client=dask_client), fn(T2, 40.0))

    ref = scan.toys(_one_toy, 30, seed=4)
    np.testing.assert_array_equal(scan.toys(_one_toy, 30, seed=4, chunk_size=4,
                                            client=dask_client), ref)
    ref_v = scan.toys(_counts, 3000, seed=4, block_size=250)
    np.testing.assert_array_equal(
        scan.toys(_counts, 3000, seed=4, block_size=250, chunk_size=700,
                  client=dask_client), ref_v)


def test_dask_scheduler_address(dask_client) -> None:  # type: ignore[no-untyped-def]
    # An address string opens (and closes) its own Client to the same cluster.
    address = dask_client.scheduler.address
    got = scan.grid(coh.q2_max, E=E, mass="Ar40", chunk_size=5, client=address)
    np.testing.assert_array_equal(got, coh.q2_max(E, "Ar40"))
