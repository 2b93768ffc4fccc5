"""The kernel of the batch grids of coherency.bsm (bsm_grid, csrc/coh_bsm.h): each point
against its own model folded directly on the same nodes (bsm_parts), the compiled
kernel against the twin, the same bits for any thread count, and the refusals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import coherency as coh
from coherency import _backend, _records, _reference, bsm, sources
from coherency.bsm import _engine
from coherency.bsm import batch as bb
from coherency.form_factors import resolve

DAR = sources.PionDAR.coherent_csi_2017()
FFS = resolve("helm")
T_MIN = 4e-3
# The grid evaluates sum_k lambda_k (L_k + sum_l lambda_l Q_kl) from sums of unit
# models, the reference the point's own model: the same doubles summed in another
# order, a few ulp of each sum; the cross terms (the pair's sum minus the units') lose
# at most the ratio of the units' sums to the cross term, ~1e2 here.
RTOL_POINT = 1e-12
# Compiled against the twin on the same nodes: the same sums in another order.
RTOL_TWIN = 1e-12

needs_compiled = pytest.mark.skipif(not _backend.compiled_available(),
                                    reason="compiled extension not built")


def _setup(model: Any, couplings: str | None = None, **params: Any) -> tuple[Any, ...]:
    g = bb.grid(model, **params)
    plan = bb._plan(DAR, "CsI", g, T_MIN, None, "helm", couplings, None,
                    bb._floor(g, g.mass_values))
    return g, plan


def _direct(point_model: Any, plan: Any, couplings: str | None) -> float:
    """The change of the count of one point: its model's record on each piece's nodes,
    folded with bsm_parts (per kg and second of the pieces' scale 1)."""
    total = 0.0
    parts = _engine.flavour_parts(DAR, couplings, (point_model,))
    tgt = coh.target("CsI")
    pieces = iter(plan.spec.pieces)
    for flavour, _, _ in parts:
        for nuc, _ in tgt.components:
            piece = next(pieces)
            rec = _engine.nucleus_spec((point_model,), _engine.flavour_for(flavour), nuc,
                                       FFS, couplings, None)
            lin, quad = _engine.parts(rec, piece.q2, piece.F0, piece.F1, piece.F2)
            total += float(np.sum(piece.W * (lin + quad)))
    return total


CASES = [
    # one unit, its mass scanned
    (bsm.VectorMediator(1.0, 0.0), None,
     {"coupling": np.array([2e-10, -5e-10])[:, None], "mass_MeV": np.array([0.5, 7.0, 60.0])},
     lambda p, i, j: bsm.VectorMediator(float(p["mass_MeV"][j]),
                                        float(p["coupling"][i, 0]))),
    (bsm.ScalarMediator(1.0, 0.0), None,
     {"coupling": np.array([1e-6, -3e-6])[:, None], "mass_MeV": np.array([0.0, 3.0, 90.0])},
     lambda p, i, j: bsm.ScalarMediator(float(p["mass_MeV"][j]),
                                        float(p["coupling"][i, 0]))),
    # three units (three pairs), no mass, flavour parts
    (bsm.NSI(eps_uV={("e", "e"): 0.0, ("mu", "mu"): 0.0}), "pdg",
     {"eps_uV": {("e", "e"): np.array([0.3, -0.2])[:, None],
                 ("mu", "mu"): np.array([0.1, 0.2, -0.4])},
      "eps_dV": {("e", "tau"): np.array([0.25, 0.05])[:, None]}},
     lambda p, i, j: bsm.NSI(eps_uV={("e", "e"): float(p["eps_uV"][("e", "e")][i, 0]),
                                     ("mu", "mu"): float(p["eps_uV"][("mu", "mu")][j])},
                             eps_dV={("e", "tau"): float(p["eps_dV"][("e", "tau")][i, 0])})),
    # one axis per flavour, a magnetic moment (the F1 moment)
    (bsm.MagneticMoment(0.0), "pdg",
     {"mu_nu_bohr": {"e": np.array([1e-9, 3e-10])[:, None], "mu": np.array([0.0, 2e-9, 5e-10])}},
     lambda p, i, j: bsm.MagneticMoment({"e": float(p["mu_nu_bohr"]["e"][i, 0]),
                                         "mu": float(p["mu_nu_bohr"]["mu"][j])})),
]


@pytest.mark.parametrize("model,couplings,params,pick", CASES,
                         ids=lambda c: type(c).__name__ if isinstance(c, bsm.Model) else "")
def test_each_point_is_its_own_model_folded(backend: str, model, couplings, params,
                                            pick) -> None:
    g, plan = _setup(model, couplings, **params)
    m2, lam, index = bb._kernel_arrays(g)
    out = np.empty(g.size)
    ones = np.ones(len(plan.spec.pieces))
    _backend.kernels().bsm_grid(plan.spec, ones, m2, lam, index, out)
    got = out.reshape(g.shape)
    scale = max(abs(_direct(pick(params, i, j), plan, couplings))
                for i in range(g.shape[0]) for j in range(g.shape[1]))
    assert scale > 0
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            want = _direct(pick(params, i, j), plan, couplings)
            assert got[i, j] == pytest.approx(want, rel=RTOL_POINT, abs=1e-14 * scale)


def _rows_grid(n_rows: int, seed: int) -> tuple[Any, ...]:
    """Two units (one pair: a universal vector mediator, whose mass the points replace,
    and an NSI, of shifts of similar size) on the pieces of CsI, n_rows random rows of
    weights per piece, and random points at a few masses."""
    rng = np.random.default_rng(seed)
    g, plan = _setup(bsm.VectorMediator(30.0, 0.0), coupling=np.geomspace(1e-5, 1e-3, 4))
    units = (bsm.VectorMediator(30.0, 3e-9), bsm.NSI(eps_uV={("e", "e"): 0.3}))
    pieces = []
    tgt = coh.target("CsI")
    for piece, (nuc, _) in zip(plan.spec.pieces, tgt.components):
        specs = tuple(_engine.nucleus_spec(tuple(units[i] for i in c), "e", nuc, FFS, None,
                                           None) for c in bb._combos(2))
        W = np.ascontiguousarray(np.abs(rng.normal(size=(n_rows, piece.q2.size)))
                                 * piece.W).reshape(-1)
        pieces.append(_records.BSMPiece(specs, piece.q2, piece.F0, piece.F1, piece.F2, W))
    spec = _records.BSMGrid(2, n_rows, tuple(pieces))
    n_points = 5000
    m2 = np.sort(rng.uniform(10.0, 400.0, 37)) ** 2
    lam = rng.uniform(-1.0, 1.0, 2 * n_points)
    index = rng.integers(0, m2.size, n_points)
    return spec, rng.uniform(0.5, 2.0, len(pieces)), m2, lam, index


@needs_compiled
@pytest.mark.parametrize("n_rows", [1, 3])
def test_compiled_and_twin_agree(n_rows: int) -> None:
    spec, scale, m2, lam, index = _rows_grid(n_rows, seed=n_rows)
    got = np.empty(n_rows * index.size)
    want = np.empty_like(got)
    _backend._compiled.bsm_grid(spec, scale, m2, lam, index, got)  # type: ignore[union-attr]
    _reference.bsm_grid(spec, scale, m2, lam, index, want)
    np.testing.assert_allclose(got, want, rtol=RTOL_TWIN, atol=1e-14 * np.abs(want).max())
    # without masses: the records' own (3 MeV)
    _backend._compiled.bsm_grid(spec, scale, m2[:0], lam, index[:0], got)  # type: ignore[union-attr]
    _reference.bsm_grid(spec, scale, m2[:0], lam, index[:0], want)
    np.testing.assert_allclose(got, want, rtol=RTOL_TWIN, atol=1e-14 * np.abs(want).max())


@needs_compiled
def test_threads_give_the_same_bits() -> None:
    spec, scale, _, lam, _ = _rows_grid(2, seed=7)
    rng = np.random.default_rng(1)
    # enough masses and points for every stage to run on the pool
    m2 = np.sort(rng.uniform(0.0, 400.0, 3000)) ** 2
    n_points = lam.size // 2
    index = rng.integers(0, m2.size, n_points)
    runs = []
    for nt in (1, 2, 7):
        out = np.empty(2 * n_points)
        _backend._compiled.bsm_grid(spec, scale, m2, lam, index, out, nt)  # type: ignore[union-attr]
        runs.append(out)
    for r in runs[1:]:
        np.testing.assert_array_equal(r, runs[0])


def test_batch_counts_compiled_and_twin_agree() -> None:
    kw = {"coupling": np.geomspace(1e-12, 1e-8, 40)[:, None],
          "mass_MeV": np.geomspace(0.1, 1e3, 30)}
    args = (DAR, "CsI", 14.6, 1.0, bsm.VectorMediator(1.0, 0.0))
    with coh.use_backend("numpy"):
        want = bsm.batch_event_counts(*args, T_min=5e-3, **kw)
    if _backend.compiled_available():
        with coh.use_backend("compiled"):
            got = bsm.batch_event_counts(*args, T_min=5e-3, **kw)
        np.testing.assert_allclose(got, want, rtol=RTOL_TWIN, atol=0)


@pytest.mark.parametrize("change,match", [
    (lambda a: a.update(spec=_records.BSMGrid(0, 1, a["spec"].pieces)), "n_units"),
    (lambda a: a.update(spec=_records.BSMGrid(2, 5000, a["spec"].pieces)), "n_rows"),
    (lambda a: a.update(scale=a["scale"][:1]), "scale"),
    (lambda a: a.update(lam=a["lam"][:-1]), "lambdas"),
    (lambda a: a.update(index=a["index"][:-1]), "mass_index"),
    (lambda a: a.update(out=a["out"][:-1]), "out"),
    (lambda a: a.update(spec=_records.BSMGrid(2, 2, a["spec"].pieces),
                        out=np.empty(2 * a["index"].size)), "W of piece"),
    # three records per piece for one unit model
    (lambda a: a.update(spec=_records.BSMGrid(1, 1, a["spec"].pieces),
                        lam=a["lam"][:a["index"].size]), r"status -2"),
    (lambda a: a["index"].__setitem__(3, a["m2"].size), r"status -2"),
    (lambda a: a["index"].__setitem__(0, -1), r"status -2"),
])
def test_bad_calls_are_refused(backend: str, change, match: str) -> None:
    spec, scale, m2, lam, index = _rows_grid(1, seed=3)
    args = {"spec": spec, "scale": scale, "m2": m2, "lam": lam, "index": index.copy(),
            "out": np.empty(index.size)}
    change(args)
    with pytest.raises((ValueError, RuntimeError), match=match):
        _backend.kernels().bsm_grid(args["spec"], args["scale"], args["m2"], args["lam"],
                                    args["index"], args["out"])
