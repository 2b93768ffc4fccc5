"""Nuclear form factors F(q) (docs/physics.md §3): Helm (Sharma & Wong Eq. 7,
Lewin-Smith variant), Klein-Nystrand, symmetrized Fermi, models sized by measured
radii, and user callables.

``q`` is the three-momentum transfer in MeV (q^2 = 2 M T), any finite q >= 0; lengths
are in fm and converted with hbar c. F(0) = 1 exactly and 0 <= |F| <= 1 for every
model here. Domain of the lengths (docs/physics.md §12): every length parameter in
[0, 100] fm (``LENGTH_MAX_FM``; offsets and skins in [-100, 100] fm), and the first
length a model derives for a nucleus (R0, R_A, c) at most 100 fm; a ``ValueError``
names the parameter otherwise.
Separate proton and neutron form factors (a neutron skin) are described by
:class:`NuclearFormFactors`.

The code lives in one module per topic, all re-exported here:

- ``coherency._ff_classes``: the models, :class:`FormFactor` and its subclasses
  (:class:`Unity`, :class:`Helm`, :class:`KleinNystrand`, :class:`SymmetrizedFermi`,
  :class:`MeasuredRadius`);
- ``coherency._ff_resolve``: what ``form_factor=`` accepts (:func:`resolve`,
  :func:`form_factor_model`, :class:`NuclearFormFactors`, callables, the running
  proton coupling of :func:`with_couplings`);
- ``coherency._ff_helm``: :func:`helm_form_factor` and :func:`spherical_j1`, the
  function interface with scalar fast paths;

and the model ids and names in the registry ``coherency._ff_models``.
"""

from __future__ import annotations

from ._ff_classes import (  # noqa: F401
    FormFactor,
    Helm,
    KleinNystrand,
    MeasuredRadius,
    SizeLike,
    SymmetrizedFermi,
    Unity,
)
from ._ff_helm import helm_form_factor, spherical_j1  # noqa: F401
from ._ff_resolve import (  # noqa: F401
    PAIR_NAMES,
    AnyFormFactor,
    CallableFormFactor,
    FormFactorSpec,
    NuclearFormFactors,
    ScaledFormFactor,
    form_factor_model,
    resolve,
    with_couplings,
)
