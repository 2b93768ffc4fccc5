"""The kernel convention: the C headers and the Python tables that mirror them agree.

* every status code of csrc/coh_status.h, with its macro name and message, is in
  coherency._status and nothing else is;
* the form-factor registry (coherency._ff_models) has the ids and the count of the
  header, and every model is known to the public classes, the CLI, both backends and
  the mpmath reference table;
* the resolution model ids of coherency._records (``RES_*``) are the header's
  ``COH_RES_*``, and both backends refuse the id after the last;
* each record of coherency._records has the fields of its C struct, in order (minus
  the counts marked "(derived)" in the header);
* every function _kernels.pxd declares from a kernel header is an entry point
  ``int coh_xxx(..., i0, i1)``.

The headers are read from the source tree; the tests skip where it is absent (an
installed wheel tested from elsewhere).
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest

import coherency as coh
from coherency import _backend, _ff_models, _records, _reference, _status, cli, form_factors

ROOT = Path(__file__).resolve().parents[1]
CSRC = ROOT / "csrc"
PXD = ROOT / "coherency" / "_kernels.pxd"

needs_source = pytest.mark.skipif(not (CSRC / "coh_status.h").is_file(),
                                  reason="csrc/ not found beside tests/ (installed package)")


def _defines(prefix: str) -> dict[str, tuple[int, str]]:
    """``#define COH_<prefix>... <int>  /* comment */`` -> (value, comment)."""
    text = (CSRC / "coh_status.h").read_text()
    out = {}
    for m in re.finditer(rf"^#define\s+(COH_{prefix}\w*)\s+\(?(-?\d+)\)?\s*(?:/\*\s*(.*?)\s*\*/)?",
                         text, re.M):
        out[m.group(1)] = (int(m.group(2)), m.group(3) or "")
    return out


def _struct_fields(header: str, name: str) -> list[tuple[str, str]]:
    """(field, comment) of ``typedef struct { ... } name;`` in csrc/<header>."""
    text = (CSRC / header).read_text()
    m = re.search(r"typedef struct \{([^{}]*)\}\s*" + name + r";", text)
    assert m, f"{name} not found in {header}"
    fields = []
    for line in m.group(1).splitlines():
        decl = re.match(r"\s*[\w\s\*]+?[\s\*](\w+);\s*(?:/\*(.*)\*/)?", line)
        if decl:
            fields.append((decl.group(1), decl.group(2) or ""))
    return fields


@needs_source
def test_status_table_matches_header() -> None:
    codes = {v: (name, msg) for name, (v, msg) in _defines("").items()
             if not name.startswith(("COH_FF_", "COH_RES_")) and name != "COH_STATUS_MIN"
             and not name.startswith(("COH_J1", "COH_PI", "COH_H"))}
    assert codes == _status.STATUS
    lowest = _defines("STATUS_MIN")["COH_STATUS_MIN"][0]
    assert all(lowest <= code <= 0 for code in _status.STATUS)
    assert _status.message(-2, "where") == ("where: argument outside the documented domain "
                                            "(status -2)")
    with pytest.raises(RuntimeError, match=r"unknown form-factor model id \(status -1\)"):
        _status.raise_status(-1, "here")


@needs_source
def test_model_registry_matches_header() -> None:
    ids = _defines("FF_")
    count = ids.pop("COH_FF_COUNT")[0]
    assert count == _ff_models.COUNT == len(_ff_models.MODELS)
    assert {m.c_macro: m.id for m in _ff_models.MODELS} == {k: v for k, (v, _) in ids.items()}
    assert [m.id for m in _ff_models.MODELS] == list(range(count))


@needs_source
def test_resolution_ids_match_header() -> None:
    ids = _defines("RES_")
    count = ids.pop("COH_RES_COUNT")[0]
    assert count == _records.RES_COUNT == len(_records.RESOLUTION_MODELS)
    assert _records.RESOLUTION_MODELS == {k: v for k, (v, _) in ids.items()}


def test_unknown_resolution_id_is_refused_by_both_backends() -> None:
    edges = np.array([0.0, 1.0])
    for kern in [_reference] + ([_backend._compiled] if _backend.compiled_available() else []):
        res = _records.ResolutionParams(_records.RES_COUNT)
        with pytest.raises(RuntimeError, match=r"unknown resolution model id \(status -5\)"):
            kern.response_matrix(np.ones(1), res, edges, np.ones(2), edges, np.empty(1))  # type: ignore[union-attr]


def test_every_registered_model_is_known_everywhere() -> None:
    names = _ff_models.names()
    assert len(set(names)) == len(names)
    # the CLI offers exactly the registry's names
    assert tuple(cli._FORM_FACTORS) == names
    for model in _ff_models.MODELS:
        ff = form_factors.form_factor_model(model.name)
        assert ff.model_id == model.id and ff.name == model.name
        for alias in model.aliases:
            assert type(form_factors.form_factor_model(alias)) is type(ff)
        for preset, method in model.presets:
            assert form_factors.form_factor_model(preset) == getattr(type(ff), method)()
        # both backends evaluate it, and agree; F(0) = 1
        params = ff.kernel_params(40.0)
        q = np.array([0.0, 10.0, 100.0])
        want = np.empty(3)
        _reference.form_factor(q, params.model, params.p1, params.p2, want)
        assert want[0] == 1.0
        if _backend.compiled_available():
            got = np.empty(3)
            _backend._compiled.form_factor(q, params.model, params.p1, params.p2, got)  # type: ignore[union-attr]
            np.testing.assert_allclose(got, want, rtol=1e-13)
    # an id past the registry is refused by both backends with the same message
    for kern in [_reference] + ([_backend._compiled] if _backend.compiled_available() else []):
        with pytest.raises(RuntimeError, match=r"unknown form-factor model id \(status -1\)"):
            kern.form_factor(np.ones(1), _ff_models.COUNT, 0.02, 0.002, np.empty(1))  # type: ignore[union-attr]


def test_mpmath_table_covers_every_model() -> None:
    table = json.loads((Path(__file__).parent / "data" / "mpmath_form_factors.json").read_text())
    covered = {"helm"} | {row[0] for row in table["other"]}
    wanted = {m.name for m in _ff_models.MODELS if m is not _ff_models.UNITY}
    assert wanted <= covered, (
        f"regenerate tests/data/mpmath_form_factors.json for {wanted - covered}")


# record -> (header, C struct)
RECORDS = {
    _records.FormFactorParams: ("coh_ff.h", "coh_ff_t"),
    _records.NucleusSpec: ("coh_xsec.h", "coh_nucleus_t"),
    _records.FormFactorPair: ("coh_rate.h", "coh_ffpair_t"),
    _records.FluxModel: ("coh_rate.h", "coh_chebmodel_t"),
    _records.QGrid: ("coh_rate.h", "coh_qgrid_t"),
    _records.ResolutionParams: ("coh_resp.h", "coh_resolution_t"),
    _records.BSMSpec: ("coh_bsm.h", "coh_bsm_t"),
    _records.BSMPiece: ("coh_bsm.h", "coh_bsm_piece_t"),
    _records.BSMGrid: ("coh_bsm.h", "coh_bsm_grid_t"),
}


def _record_fields(record: type) -> list[str]:
    if dataclasses.is_dataclass(record):
        return [f.name for f in dataclasses.fields(record) if f.init]
    return list(record._fields)  # type: ignore[attr-defined]


@needs_source
@pytest.mark.parametrize("record", list(RECORDS), ids=lambda r: r.__name__)
def test_record_fields_match_c_struct(record: type) -> None:
    header, struct = RECORDS[record]
    c_fields = [name for name, comment in _struct_fields(header, struct)
                if "(derived)" not in comment]
    assert _record_fields(record) == c_fields


def test_records_are_immutable_and_nucleus_packs_lazily() -> None:
    eps = coh.constants.EPSILON_DEFAULT
    spec = coh.cross_sections.kernel_spec(coh.nucleus("Ar40"), form_factors.resolve("helm"), eps)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.mass = 1.0  # type: ignore[misc]
    assert spec.packed is None
    before = coh.dsigma_dq2(100.0, 30.0, "Ar40")
    with coh.use_backend("numpy"):
        assert coh.dsigma_dq2(100.0, 30.0, "Ar40") == pytest.approx(before, rel=1e-13)
    if _backend.compiled_available():
        out = np.empty(1)
        _backend._compiled.dsigma_dq2(np.array([100.0]), np.array([30.0]), spec, out)  # type: ignore[union-attr]
        assert isinstance(spec.packed, bytes)  # the compiled backend's cache
        again = np.empty(1)
        _backend._compiled.dsigma_dq2(np.array([100.0]), np.array([30.0]), spec, again)  # type: ignore[union-attr]
        assert again[0] == out[0] == before
        # the cache takes no part in equality
        assert spec == coh.cross_sections.kernel_spec(coh.nucleus("Ar40"),
                                                      form_factors.resolve("helm"), eps)


@needs_source
def test_pxd_entry_points_follow_the_convention() -> None:
    text = PXD.read_text()
    blocks = re.split(r'^cdef extern from "(\w+\.h)":', text, flags=re.M)[1:]
    headers = dict(zip(blocks[::2], blocks[1::2]))
    # one extern block per header of csrc/
    assert sorted(headers) == sorted(p.name for p in CSRC.glob("*.h")
                                     if p.name not in ("coh_simd.h",))
    entry_points = 0
    for header, body in headers.items():
        decls = re.findall(r"^\s+(?:const\s+)?(\w+\s*\*?)\s*(coh_\w+)\((.*?)\)\s*nogil",
                           body, re.M | re.S)
        for ret, name, args in decls:
            if header == "coh_pool.h" or name == "coh_simd_info":
                continue  # the pool itself and build information
            entry_points += 1
            params = [a.strip() for a in args.replace("\n", " ").split(",")]
            assert ret.strip() == "int", name
            assert params[-2:] == ["Py_ssize_t i0", "Py_ssize_t i1"] or \
                params[-2:] == ["Py_ssize_t c0", "Py_ssize_t c1"], (name, params[-2:])
            # declared in the C header with the same name, returning int
            assert re.search(rf"^int {name}\(", (CSRC / header).read_text(), re.M), name
    assert entry_points >= 12
