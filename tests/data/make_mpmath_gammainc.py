"""Regenerate tests/data/mpmath_gammainc.json: P(a, x), Q(a, x) at 30 digits (mpmath).

Run from the repository root:  python tests/data/make_mpmath_gammainc.py

Points: shapes a from 0.5 to 5000 (both sides of a = 15, where csrc/coh_resp.c switches
from Gamma(a + 1) to Stirling's series), and x from 1e-300 through x ~ a (relative
offsets down to 1e-9, both sides of the series / continued-fraction switch at
x = a + 1) to 20 a, where P or Q underflows. Arguments are rounded to doubles first,
so each reference is the exact value at the very input the code sees. Each row also
holds the condition numbers kx = |x d ln f/dx| and ka = |a d ln f/da| of the smaller
of P and Q: a relative change eps of x or a moves f by about (kx + ka) eps, the error
floor of any double-precision evaluation.

Row: [a, x, P, Q, kx, ka] (P, Q as 30-digit strings; kx, ka as floats).
"""

from __future__ import annotations

import json
from pathlib import Path

import mpmath as mp

mp.mp.dps = 50  # 30 digits survive the differences near x = a

SHAPES = ["0.5", "1", "1.5", "2.5", "5", "10", "14.9", "15", "15.1", "30", "44", "100",
          "300", "1000", "2000", "5000"]
RATIOS = ["1e-3", "0.1", "0.5", "0.9", "0.99", "0.999999999", "1", "1.000000001", "1.01",
          "1.1", "2", "5", "20"]


def p_and_q(a: mp.mpf, x: mp.mpf) -> tuple[mp.mpf, mp.mpf]:
    if x == 0:
        return mp.mpf(0), mp.mpf(1)
    p = mp.gammainc(a, 0, x, regularized=True)
    q = mp.gammainc(a, x, mp.inf, regularized=True)
    return p, q


def condition(a: mp.mpf, x: mp.mpf, p: mp.mpf, q: mp.mpf) -> tuple[float, float]:
    """|x d ln f/dx| and |a d ln f/da| of f = min(P, Q)."""
    if x == 0:
        return 0.0, 0.0
    lower = p <= q
    f = p if lower else q
    if f == 0:
        return 0.0, 0.0
    density = mp.exp((a - 1) * mp.log(x) - x - mp.loggamma(a))
    kx = abs(x * density / f)

    def g(s: mp.mpf) -> mp.mpf:
        return mp.gammainc(s, 0, x, regularized=True) if lower else \
            mp.gammainc(s, x, mp.inf, regularized=True)

    ka = abs(a * mp.diff(g, a) / f)
    return float(kx), float(ka)


def main() -> None:
    rows = []
    for a_s in SHAPES:
        a = mp.mpf(float(mp.mpf(a_s)))
        xs = {mp.mpf(0), mp.mpf("1e-300"), a + 1, a + 1 - mp.mpf("1e-9") * a,
              a + 1 + mp.mpf("1e-9") * a}
        xs |= {a * mp.mpf(r) for r in RATIOS}
        for x in sorted(mp.mpf(float(v)) for v in xs):
            p, q = p_and_q(a, x)
            kx, ka = condition(a, x, p, q)
            rows.append([float(a), float(x), mp.nstr(p, 30), mp.nstr(q, 30), kx, ka])
    out = {"dps": 30, "rows": rows}
    path = Path(__file__).with_name("mpmath_gammainc.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path.name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
