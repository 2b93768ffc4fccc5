"""The ``coherency`` command (also ``python -m coherency``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np


def _demo(args: argparse.Namespace) -> int:
    import coherency as coh

    q = np.array([0.0, 10.0, 25.0, 50.0, 75.0, 100.0, 150.0])
    nuclei = [("Ar", 40), ("Ge", 73), ("Xe", 132)]
    print(f"coherency {coh.__version__} (backend: {coh.get_backend()})")
    print("Helm form factor F(q), seed Eq. 7 (s = 0.5 fm, R = 1.2 A^(1/3) fm)")
    print("q [MeV]  " + "".join(f"{name}{A:>3d}".rjust(12) for name, A in nuclei))
    for qi in q:
        row = "".join(f"{coh.helm_form_factor(qi, A):12.6f}" for _, A in nuclei)
        print(f"{qi:7.1f}  {row}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coherency",
        description="Coherent elastic neutrino-nucleus scattering and its coherency.",
    )
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="print the Helm form factor for Ar, Ge, Xe")
    demo.set_defaults(func=_demo)
    parser.set_defaults(func=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (ValueError, TypeError) as exc:
        print(f"coherency: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
