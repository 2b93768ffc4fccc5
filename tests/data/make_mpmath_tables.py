"""Regenerate tests/data/mpmath_form_factors.json (40-digit mpmath references).

Run from the repository root:  python tests/data/make_mpmath_tables.py
The points include x = 0, tiny x, both sides of the series/closed-form switch at
x = 1 (COH_J1_SERIES_MAX in csrc/coh_ff.h), the first zeros of j1 and large x.
Every model of the registry (coherency._ff_models) but unity gets rows: Helm its own
table, the others the "other" rows, from their entry in REFERENCES below (the script
stops when a registered model has none).
"""

from __future__ import annotations

import json
from pathlib import Path

import mpmath as mp

from coherency import _ff_models

mp.mp.dps = 40
HBARC = mp.mpf("197.3269804")  # must equal coherency.constants.HBARC_MEV_FM


def j1(x: mp.mpf) -> mp.mpf:
    if x == 0:
        return mp.mpf(0)
    return mp.sqrt(mp.pi / (2 * x)) * mp.besselj(mp.mpf(3) / 2, x) if x > 0 else -j1(-x)


def sphere(x: mp.mpf) -> mp.mpf:
    return mp.mpf(1) if x == 0 else 3 * j1(x) / x


def helm(q_mev: mp.mpf, A: int, s_fm: mp.mpf, r_coeff_fm: mp.mpf) -> mp.mpf:
    r = r_coeff_fm * mp.cbrt(A)
    r0 = mp.sqrt(r * r - 5 * s_fm * s_fm)
    q = q_mev / HBARC
    return sphere(q * r0) * mp.exp(-q * q * s_fm * s_fm / 2)


def kn(q_mev, ra_fm, a_fm):
    q = q_mev / HBARC
    return sphere(q * ra_fm) / (1 + (q * a_fm) ** 2)


def symm_fermi(q_mev, c_fm, a_fm):
    q = q_mev / HBARC
    if q == 0:
        return mp.mpf(1)
    x, y = q * c_fm, mp.pi * q * a_fm
    return (3 / (x * (x * x + y * y)) * (y / mp.sinh(y))
            * (y / mp.tanh(y) * mp.sin(x) - x * mp.cos(x)))


# mpmath reference of each model of the "other" rows: name -> (F(q in MeV, p1 in fm,
# p2 in fm), p1, p2): lengths as in the model's radius_fm and second length
REFERENCES = {
    "klein-nystrand": (kn, "6.0", "0.7"),
    "symmetrized-fermi": (symm_fermi, "5.5", "0.52"),
}


def main() -> None:
    zeros = [mp.findroot(lambda t: j1(t), g) for g in (4.49, 7.73, 10.90)]
    xs = [mp.mpf(0), mp.mpf("1e-300"), mp.mpf("1e-8"), mp.mpf("1e-4"), mp.mpf("0.01"),
          mp.mpf("0.3"), mp.mpf("0.999999"), mp.mpf(1), mp.mpf("1.000001"), mp.mpf("1.5"),
          mp.mpf(2), mp.mpf(3), mp.mpf(4), *zeros, *(z + mp.mpf("1e-6") for z in zeros),
          mp.mpf(10), mp.mpf(25), mp.mpf(50), mp.mpf(100), mp.mpf("-0.5"), mp.mpf(-7)]
    # Arguments are rounded to doubles first, so the reference is the exact value at
    # the very input the code sees (near a zero of j1 the condition number is huge).
    xs = [mp.mpf(float(x)) for x in xs]
    j1_rows = [[repr(float(x)), mp.nstr(j1(x), 30), mp.nstr(sphere(x), 30)] for x in xs]
    qs = [mp.mpf(v) for v in ("0", "1e-6", "0.01", "1", "10", "20", "30", "40", "50",
                              "80", "100", "150", "200", "300", "500", "1000")]
    helm_rows = []
    for A in (1, 4, 12, 40, 73, 132, 208):
        for s, rc in ((mp.mpf("0.5"), mp.mpf("1.2")), (mp.mpf("0.9"), mp.mpf("1.3"))):
            if (rc * mp.cbrt(A)) ** 2 <= 5 * s * s:
                continue
            for q in qs:
                helm_rows.append([repr(float(q)), A, float(s), float(rc),
                                  mp.nstr(helm(q, A, s, rc), 30)])
    others = [m.name for m in _ff_models.MODELS if m not in (_ff_models.UNITY, _ff_models.HELM)]
    missing = [name for name in others if name not in REFERENCES]
    if missing:
        raise SystemExit(f"no mpmath reference for {missing}: add one to REFERENCES")
    other_rows = []
    for q in qs:
        for name in others:
            fn, p1, p2 = REFERENCES[name]
            other_rows.append([name, repr(float(q)), float(p1), float(p2),
                               mp.nstr(fn(q, mp.mpf(p1), mp.mpf(p2)), 30)])
    out = {"dps": mp.mp.dps, "hbarc_mev_fm": str(HBARC), "j1": j1_rows, "helm": helm_rows,
           "other": other_rows}
    path = Path(__file__).with_name("mpmath_form_factors.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path.name}: {len(j1_rows)} j1, {len(helm_rows)} helm, {len(other_rows)} other")


if __name__ == "__main__":
    main()
