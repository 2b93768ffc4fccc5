# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False, embedsignature=True
"""Compiled kernels of coherency: thin nogil loops over the C99 code in csrc/.

Kernels take validated, float64, C-contiguous 1-D arrays and write into ``out``.
They neither broadcast nor check ranges: the public layer does that once for both
backends. Lengths are in MeV^-1 (fm / hbar c). ``spec`` describes one nucleus:
``(mass, prefactor, wz, wn, model_z, pz1, pz2, model_n, pn1, pn2)``.
The numpy/scipy twin with the same names and signatures is coherency._reference.
"""

cdef extern from "coh_ff.h":
    ctypedef struct coh_ff_t:
        int model
        double p1
        double p2
    int coh_spherical_j1_array(const double *x, double *out, Py_ssize_t n) nogil
    int coh_helm_array(const double *q, double *out, Py_ssize_t n, double r0, double s) nogil
    int coh_form_factor_array(const double *q, double *out, Py_ssize_t n,
                              const coh_ff_t *ff) nogil

cdef extern from "coh_xsec.h":
    ctypedef struct coh_nucleus_t:
        double mass
        double prefactor
        double wz
        double wn
        coh_ff_t ffz
        coh_ff_t ffn
    int coh_dsigma_dq2_array(const coh_nucleus_t *nuc, const double *q2, const double *E,
                             double *out, Py_ssize_t n) nogil
    int coh_sigma_total_array(const coh_nucleus_t *nuc, const double *E,
                              const double *q2_min, double *out, Py_ssize_t n,
                              double panel_dq, const double *gl_x, const double *gl_w,
                              Py_ssize_t n_gl) nogil

_STATUS = {
    -1: "unknown form-factor model id",
    -2: "argument outside the documented domain",
    -3: "empty or malformed quadrature rule",
}


cdef inline void _raise(int status, str where) except *:
    raise RuntimeError(f"{where}: {_STATUS.get(status, status)} (status {status})")


cdef coh_nucleus_t _nucleus(tuple spec) except *:
    cdef coh_nucleus_t nuc
    if len(spec) != 10:
        raise ValueError("spec must have 10 entries")
    nuc.mass = spec[0]
    nuc.prefactor = spec[1]
    nuc.wz = spec[2]
    nuc.wn = spec[3]
    nuc.ffz.model = spec[4]
    nuc.ffz.p1 = spec[5]
    nuc.ffz.p2 = spec[6]
    nuc.ffn.model = spec[7]
    nuc.ffn.p1 = spec[8]
    nuc.ffn.p2 = spec[9]
    return nuc


def spherical_j1(const double[::1] x, double[::1] out):
    """out[i] = j1(x[i])."""
    cdef int status
    if x.shape[0] == 0:
        return
    with nogil:
        status = coh_spherical_j1_array(&x[0], &out[0], x.shape[0])
    if status != 0:
        _raise(status, "coh_spherical_j1_array")


def helm(const double[::1] q, double r0, double s, double[::1] out):
    """Helm form factor (seed Eq. 7); q in MeV, r0 and s in MeV^-1."""
    cdef int status
    if q.shape[0] == 0:
        return
    with nogil:
        status = coh_helm_array(&q[0], &out[0], q.shape[0], r0, s)
    if status != 0:
        _raise(status, "coh_helm_array")


def form_factor(const double[::1] q, int model, double p1, double p2, double[::1] out):
    """Form factor of model id ``model`` (0 unity, 1 Helm, 2 Klein-Nystrand,
    3 symmetrized Fermi) with lengths p1, p2 in MeV^-1; q in MeV."""
    cdef int status
    cdef coh_ff_t ff
    ff.model = model
    ff.p1 = p1
    ff.p2 = p2
    if q.shape[0] == 0:
        return
    with nogil:
        status = coh_form_factor_array(&q[0], &out[0], q.shape[0], &ff)
    if status != 0:
        _raise(status, "coh_form_factor_array")


def dsigma_dq2(const double[::1] q2, const double[::1] E, tuple spec, double[::1] out):
    """dsigma/dq2 (seed Eq. 1) at pairs (q2[i], E[i]); 0 outside kinematics."""
    cdef int status
    cdef coh_nucleus_t nuc = _nucleus(spec)
    if q2.shape[0] == 0:
        return
    with nogil:
        status = coh_dsigma_dq2_array(&nuc, &q2[0], &E[0], &out[0], q2.shape[0])
    if status != 0:
        _raise(status, "coh_dsigma_dq2_array")


def sigma_total(const double[::1] E, const double[::1] q2_min, tuple spec,
                double panel_dq, const double[::1] gl_x, const double[::1] gl_w,
                double[::1] out):
    """sigma(E) integrated over q2 from q2_min[i] to q2_max(E[i])."""
    cdef int status
    cdef coh_nucleus_t nuc = _nucleus(spec)
    if gl_x.shape[0] == 0 or gl_x.shape[0] != gl_w.shape[0]:
        _raise(-3, "coh_sigma_total_array")
    if E.shape[0] == 0:
        return
    with nogil:
        status = coh_sigma_total_array(&nuc, &E[0], &q2_min[0], &out[0], E.shape[0],
                                       panel_dq, &gl_x[0], &gl_w[0], gl_x.shape[0])
    if status != 0:
        _raise(status, "coh_sigma_total_array")


# ---------------------------------------------------------------------------------
# Scalar entry points: one point in, a Python float out, no arrays. They are the
# public layer's fast path for plain-float arguments (issue 7). Each calls the same
# C array routine as its array kernel with n = 1 on stack doubles, so a scalar call
# returns bit for bit what a one-element array call returns. Twins of the same
# names live in coherency._reference.
# ---------------------------------------------------------------------------------

def spherical_j1_scalar(double x):
    """j1(x) at one point."""
    cdef double out = 0.0
    coh_spherical_j1_array(&x, &out, 1)
    return out


def helm_scalar(double q, double r0, double s):
    """Helm form factor at one q (MeV); r0 and s in MeV^-1."""
    cdef double out = 0.0
    cdef int status = coh_helm_array(&q, &out, 1, r0, s)
    if status != 0:
        _raise(status, "coh_helm_array")
    return out


def form_factor_scalar(double q, int model, double p1, double p2):
    """Form factor of model id ``model`` at one q (MeV); p1, p2 in MeV^-1."""
    cdef double out = 0.0
    cdef coh_ff_t ff
    ff.model = model
    ff.p1 = p1
    ff.p2 = p2
    cdef int status = coh_form_factor_array(&q, &out, 1, &ff)
    if status != 0:
        _raise(status, "coh_form_factor_array")
    return out


def dsigma_dq2_scalar(double q2, double E, tuple spec):
    """dsigma/dq2 (seed Eq. 1) at one (q2, E); 0 outside kinematics."""
    cdef double out = 0.0
    cdef coh_nucleus_t nuc = _nucleus(spec)
    cdef int status = coh_dsigma_dq2_array(&nuc, &q2, &E, &out, 1)
    if status != 0:
        _raise(status, "coh_dsigma_dq2_array")
    return out


def sigma_total_scalar(double E, double q2_min, tuple spec, double panel_dq,
                       const double[::1] gl_x, const double[::1] gl_w):
    """sigma(E) integrated over q2 from q2_min to q2_max(E), at one E."""
    cdef double out = 0.0
    cdef int status
    cdef coh_nucleus_t nuc = _nucleus(spec)
    if gl_x.shape[0] == 0 or gl_x.shape[0] != gl_w.shape[0]:
        _raise(-3, "coh_sigma_total_array")
    with nogil:
        status = coh_sigma_total_array(&nuc, &E, &q2_min, &out, 1, panel_dq,
                                       &gl_x[0], &gl_w[0], gl_x.shape[0])
    if status != 0:
        _raise(status, "coh_sigma_total_array")
    return out
