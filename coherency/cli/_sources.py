"""Sources, exposures, thresholds and quenching of ``rate`` and ``spectrum``.

Part of :mod:`coherency.cli` (its docstring describes the command line)."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from .._units import Parsed
from ..constants import SECONDS_PER_DAY, SECONDS_PER_YEAR
from ._common import UsageError, _source_name

# --- sources and exposures for rate / spectrum ------------------------------------
#: DAR source names -> the experiment preset whose detector mass is the source's
#: published exposure.
_DAR_PRESETS = {"dar": "coherent-csi-2017", "pion-dar": "coherent-csi-2017",
                "coherent-csi": "coherent-csi-2017", "coherent-ar": "coherent-ar-2020",
                "dar-prompt": "coherent-csi-2017", "dar-delayed": "coherent-csi-2017"}
_PROTON_ENERGY_GEV = 1.0  # SNS proton kinetic energy, about 1 GeV

_SOURCE_OPTIONS = {  # option -> the source kinds it configures
    "power": ("reactor",), "fuel": ("reactor",), "tail": ("reactor",),
    "pot": ("dar",), "nu_per_proton": ("dar",), "beam_power": ("dar",),
    "components": ("solar",), "distance": ("reactor", "dar", "supernova"),
}


def _kind(name: str) -> str:
    if name in ("reactor", "ksnl"):
        return "reactor"
    if name in _DAR_PRESETS:
        return "dar"
    if name.startswith("solar"):
        return "solar"
    return name  # atmospheric, supernova


class _Setup:
    """A source with its exposure, as the user configured it: ``source``, ``mass_kg``,
    ``time_s`` (for event_rate), the ``exposure`` text, and the ``assumptions``."""

    def __init__(self) -> None:
        self.source: Any = None
        self.mass_kg = 1.0
        self.time_s = SECONDS_PER_YEAR
        self.exposure = ""
        self.exposure_kg_yr: float | None = None
        self.assumptions: list[str] = []


def _check_source_options(args: argparse.Namespace, kind: str, name: str) -> None:
    for opt, kinds in _SOURCE_OPTIONS.items():
        if getattr(args, opt, None) is not None and kind not in kinds:
            flag = "--" + opt.replace("_", "-")
            raise UsageError(f"{flag} does not apply to source {name!r} (it configures "
                             f"{' and '.join(k if k != 'dar' else 'pion-DAR' for k in kinds)}"
                             f" sources)", flag)
    if kind == "solar" and args.components is not None and name != "solar":
        raise UsageError(f"--components applies to 'solar'; {name!r} is one component "
                         f"already", "--components")


def _build_setup(args: argparse.Namespace) -> _Setup:
    from ..sources import PionDAR, Reactor, Solar, Supernova, by_name

    name = _source_name(args.source)
    kind = _kind(name)
    _check_source_options(args, kind, name)
    st = _Setup()
    src: Any = by_name(name)
    if kind == "reactor":
        power = args.power.value if args.power else src.power_GW
        dist = args.distance.value if args.distance else src.distance_m
        fuel = args.fuel if args.fuel is not None else src.fractions
        tail = args.tail or src.tail
        src = Reactor(power_GW=power, distance_m=dist, fission_fractions=fuel, tail=tail)
        st.assumptions.append(
            f"reactor: {power:g} GW thermal at {dist:g} m; fission fractions "
            + ", ".join(f"{k} {v:g}" for k, v in src.fractions.items())
            + f"; spectrum Huber-Mueller (Vogel-Engel below 2 MeV), tail above 8 MeV: "
              f"{tail}; 238U captures {src.u238_capture_per_fission:g} per fission")
    elif kind == "dar":
        from .. import experiments

        preset = experiments.load(_DAR_PRESETS[name])
        dist = args.distance.value if args.distance else src.distance_m
        r = args.nu_per_proton if args.nu_per_proton is not None else src.nu_per_proton
        src = PionDAR(n_pot=src.n_pot, exposure_time_s=None, distance_m=dist,
                      nu_per_proton=r, flavours=src.flavours, label=src.label)
        st.assumptions.append(
            f"pion decay at rest: {dist:g} m, {r:g} neutrinos per flavour per proton, "
            f"flavours {', '.join(src.flavours)}")
        st.source = src
        _dar_exposure(args, st, preset)
        return st
    elif kind == "solar":
        if args.components is not None:
            comps = tuple(c.strip() for c in args.components.split(",") if c.strip())
            src = Solar(components=comps)
        st.assumptions.append(f"solar neutrinos (B16-GS98 fluxes, no oscillation): "
                              f"{', '.join(src.components)}")
    elif kind == "supernova":
        if args.distance is not None:
            d = args.distance
            kpc = d.value / 3.0856775814913673e19 if d.explicit else d.value
            src = Supernova(distance_kpc=kpc)
        st.assumptions.append(f"supernova burst at {src.distance_kpc:g} kpc "
                              f"(fluence of the whole burst)")
    else:
        st.assumptions.append(f"{src.name}")
    st.source = src
    if getattr(src, "is_fluence", False):
        _fluence_exposure(args, st)
    else:
        _steady_exposure(args, st)
    return st


_TIME_UNITS = {"s": 1.0, "day": SECONDS_PER_DAY, "yr": SECONDS_PER_YEAR}


def _mass_and_time(args: argparse.Namespace) -> tuple[Parsed | None, Parsed | None]:
    """--mass and --time (with the legacy --time-unit for bare numbers)."""
    time = args.time
    if time is not None and not time.explicit and args.time_unit != "yr":
        factor = _TIME_UNITS[args.time_unit] / SECONDS_PER_YEAR
        time = Parsed(time.value * factor, "yr", f"{time.text} {args.time_unit}", True)
    return args.mass, time


def _steady_exposure(args: argparse.Namespace, st: _Setup) -> None:
    mass, time = _mass_and_time(args)
    if args.exposure is not None:
        if mass is not None or time is not None:
            raise UsageError("give --exposure or --mass/--time, not both", "--exposure")
        if args.exposure.dim == "mass":
            raise UsageError(f"{st.source.name} is a steady flux: --exposure needs a mass "
                             f"times a time, such as 1tonne*yr or 2.83kg*327day; got "
                             f"{args.exposure.text!r}", "--exposure")
        st.mass_kg, st.time_s = args.exposure.value, SECONDS_PER_YEAR
        st.exposure_kg_yr = args.exposure.value
        st.exposure = (f"{args.exposure.value:.6g} kg·yr "
                       f"(= {args.exposure.value * 365.25:.6g} kg·d)")
        st.assumptions.append(f"exposure {args.exposure.describe()} (1 yr = 365.25 d)")
        return
    st.mass_kg = mass.value if mass is not None else 1.0
    years = time.value if time is not None else 1.0
    st.time_s = years * SECONDS_PER_YEAR
    st.exposure_kg_yr = st.mass_kg * years
    st.exposure = f"{st.mass_kg:g} kg × {_years_text(years)}"
    st.assumptions.append(
        f"exposure {st.exposure}"
        + ("" if mass is not None and time is not None else
           " (defaults: 1 kg, 1 yr; set --exposure, e.g. 1tonne*yr)"))


def _years_text(years: float) -> str:
    days = years * 365.25
    return f"{years:g} yr" if years >= 1 or days < 1 else f"{days:g} d"


def _fluence_exposure(args: argparse.Namespace, st: _Setup) -> None:
    """A burst (supernova): the fluence holds the time; the exposure is a mass."""
    mass, time = _mass_and_time(args)
    if time is not None or (args.exposure is not None and args.exposure.dim != "mass"):
        raise UsageError(f"{st.source.name} is the fluence of one burst (no time axis): "
                         f"give a mass (--mass 1tonne or --exposure 1tonne), not a time",
                         "--exposure" if time is None else "--time")
    m = args.exposure if args.exposure is not None else mass
    st.mass_kg = m.value if m is not None else 1.0
    st.time_s = 1.0
    st.exposure = f"{st.mass_kg:g} kg, the whole burst"
    st.assumptions.append(f"exposure {st.exposure}"
                          + ("" if m is not None else " (default mass 1 kg)"))


def _dar_exposure(args: argparse.Namespace, st: _Setup, preset: Any) -> None:
    """A pulsed source: the exposure is counted in protons on target. Default: the
    published one (the preset's POT and detector mass)."""
    from ..sources import PionDAR

    src = st.source
    mass, time = _mass_and_time(args)
    if args.exposure is not None and (mass is not None or time is not None):
        raise UsageError("give --exposure or --mass/--time, not both", "--exposure")
    timed = time is not None or (args.exposure is not None and args.exposure.dim != "mass")
    if timed:
        if args.pot is not None:
            raise UsageError("a pulsed source's exposure is --pot (protons on target) or a "
                             "time at --beam-power, not both", "--pot")
        if args.beam_power is None:
            raise UsageError(
                f"{args.source!r} is a pulsed source: its exposure is counted in protons on "
                f"target. Give --beam-power with a time (e.g. --beam-power 1.4MW "
                f"--exposure 10kg*yr), or --pot (e.g. --pot 3.2e23) with a mass, or "
                f"nothing for the published exposure", "--beam-power")
        if args.exposure is not None:
            kg_yr = args.exposure.value
        else:
            kg_yr = (mass.value if mass is not None else 1.0) * time.value  # type: ignore[union-attr]
        n_pot = args.beam_power.value * 1e6 * SECONDS_PER_YEAR / (
            _PROTON_ENERGY_GEV * 1e9 * 1.602176634e-19)
        st.source = PionDAR(n_pot=n_pot, exposure_time_s=None, distance_m=src.distance_m,
                            nu_per_proton=src.nu_per_proton, flavours=src.flavours,
                            label=f"{args.beam_power.value:g} MW beam")
        st.mass_kg, st.time_s = kg_yr, 1.0
        st.exposure_kg_yr = kg_yr
        st.exposure = f"{kg_yr:g} kg·yr at {args.beam_power.value:g} MW"
        st.assumptions.append(
            f"exposure {kg_yr:g} kg·yr at a beam power of {args.beam_power.describe()}, "
            f"{_PROTON_ENERGY_GEV:g} GeV per proton: {n_pot:.4g} protons on target per "
            f"year (1 yr = 365.25 d of beam)")
        return
    if args.beam_power is not None:
        raise UsageError("--beam-power needs a time (e.g. --exposure 10kg*yr)", "--beam-power")
    m = args.exposure if args.exposure is not None else mass
    n_pot = args.pot.value if args.pot is not None else src.n_pot
    st.source = PionDAR(n_pot=n_pot, exposure_time_s=None, distance_m=src.distance_m,
                        nu_per_proton=src.nu_per_proton, flavours=src.flavours,
                        label=src.label)
    st.mass_kg = m.value if m is not None else preset.mass_kg
    st.time_s = 1.0
    st.exposure = f"{st.mass_kg:g} kg, {n_pot:.4g} protons on target"
    origin = []
    if args.pot is None:
        origin.append(f"POT of {preset.title}")
    if m is None:
        origin.append(f"the detector mass of {preset.name}")
    st.assumptions.append(f"exposure {st.exposure}"
                          + (f" (published: {'; '.join(origin)})" if origin else ""))


# --- thresholds and quenching -----------------------------------------------------
class _Window:
    """The recoil window: scale, thresholds (MeV on that scale) and the quenching model,
    with both scales for printing."""

    def __init__(self) -> None:
        self.scale = "nr"
        self.T_min = 0.0
        self.T_max: float | None = None
        self.quenching: Any = None
        self.quenching_text = "none"
        self.T_min_nr = 0.0
        self.T_min_ee: float | None = None
        self.assumptions: list[str] = []


def _quenching_for(args: argparse.Namespace, tgt: Any, needed: bool) -> tuple[Any, str]:
    from ..detector import Lindhard, lindhard_k

    if args.qf is not None and args.k is not None:
        raise UsageError("give --qf (a constant quenching factor) or --k (Lindhard), not "
                         "both", "--qf")
    if args.qf is not None:
        return args.qf, f"constant quenching factor {args.qf:g}"
    single = len({n.Z for n, _ in tgt.components}) == 1
    if not single:
        if needed or args.k is not None:
            raise UsageError("an electron-equivalent energy on a compound needs --qf (a "
                             "constant quenching factor in (0, 1)); Lindhard's model is "
                             "for one element", "--qf")
        return None, "none"
    if args.k is None and not needed:
        return None, "none"
    Z = tgt.components[0][0].Z
    A = sum(n.A * f for n, f in tgt.components)
    k = args.k if args.k is not None else lindhard_k(Z, A)
    origin = "" if args.k is not None else " (Lindhard's 0.133 Z^(2/3) A^(-1/2); set --k)"
    return Lindhard(Z, A, k=k), f"Lindhard, Z = {Z}, A = {A:.4g}, k = {k:.4g}{origin}"


def _window(args: argparse.Namespace, tgt: Any, T_reach_MeV: float) -> _Window:
    from ..detector import nr_from_ee_MeV

    w = _Window()
    scales = {s for _, s in (args.threshold or (None, None),
                             args.T_max or (None, None)) if s is not None}
    if len(scales) > 1:
        raise UsageError("--threshold and --T-max must be on the same scale (both keVnr "
                         "or both keVee)", "--T-max")
    suffix = scales.pop() if scales else None
    if args.scale is not None and suffix is not None and args.scale != suffix:
        raise UsageError(f"--scale {args.scale} contradicts the unit keV{suffix}",
                         "--scale")
    w.scale = suffix or args.scale or "nr"
    w.quenching, w.quenching_text = _quenching_for(args, tgt, needed=w.scale == "ee")
    thr = args.threshold[0] if args.threshold else None
    w.T_min = (thr.value if thr else 0.0) * 1e-3
    w.T_max = args.T_max[0].value * 1e-3 if args.T_max else None
    if thr is not None and suffix is None:
        w.assumptions.append(f"threshold {thr.text!r} read as keV{w.scale}"
                             + ("" if args.scale else " (no scale given: keVnr; write "
                                "e.g. 0.3keVee or 5keVnr)"))
    if w.scale == "ee":
        w.T_min_ee = w.T_min
        w.T_min_nr = nr_from_ee_MeV(w.T_min, w.quenching, T_reach_MeV) if w.T_min > 0 else 0.0
    else:
        w.T_min_nr = w.T_min
        if w.quenching is not None and w.T_min > 0:
            w.T_min_ee = float(np.asarray(
                w.quenching(np.array([w.T_min])) if callable(w.quenching)
                else w.quenching * w.T_min).reshape(-1)[0])
    w.assumptions.append(f"quenching: {w.quenching_text}")
    if w.T_min == 0.0:
        w.T_min_ee = 0.0
        thr_text = "no threshold (0 keVnr = 0 keVee)"
    else:
        ee = "? keVee (no quenching model; add --k or --qf)" if w.T_min_ee is None else \
            f"{w.T_min_ee * 1e3:.4g} keVee"
        thr_text = f"threshold {w.T_min_nr * 1e3:.4g} keVnr = {ee}"
    w.assumptions.append(thr_text
                         + (f", window up to {w.T_max * 1e3:g} keV{w.scale}"
                            if w.T_max is not None else ""))
    return w


def _physics_assumptions(args: argparse.Namespace) -> list[str]:
    from ..constants import EPSILON_DEFAULT

    ff = args.form_factor
    cp = args.couplings
    eps = args.epsilon if args.epsilon is not None else EPSILON_DEFAULT
    cp_text = (f"couplings {cp} (flavour dependent, radiatively corrected)"
               if cp in ("pdg", "tomalak") else
               f"couplings at tree level, epsilon = 1 - 4 sin^2(theta_W) = {eps:g}")
    return [f"form factor {ff}", cp_text, "detection efficiency 1 above threshold"]
