"""Packaging: kernel signatures (compiled vs twin vs stub), show_config, version,
typing files shipped, and the warning when the extension is missing.

These run against whatever ``coherency`` is importable: the editable install in a
checkout, or the installed wheel (.ci/check-wheel runs them from outside the tree).
"""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import coherency
from coherency import _backend, _reference, _version

PACKAGE_DIR = Path(coherency.__file__).resolve().parent
STUB = PACKAGE_DIR / "_kernels.pyi"
REQUIRE_COMPILED = os.environ.get("COHERENCY_REQUIRE_COMPILED", "") == "1"

needs_compiled = pytest.mark.skipif(
    not _backend.compiled_available() and not REQUIRE_COMPILED,
    reason="compiled extension not built",
)

# Cython types in the embedded signatures -> the annotation the stub must carry.
C_TO_STUB = {
    "double[::1]": "npt.NDArray[np.float64]",
    "long long[::1]": "npt.NDArray[np.int64]",
    "unsigned char[::1]": "npt.NDArray[np.uint8]",
    "double": "float",
    "int": "int",
    "Py_ssize_t": "int",
    "bint": "bool",
    "bool": "bool",  # embedsignature spells bint as bool
    "tuple": "tuple[float, ...]",
    "str": "str",
}
# Arguments whose C type says less than the stub: a tuple named ``model`` holds arrays,
# one named ``plan`` the per-nucleus tuples of the small-array path.
ARG_TO_STUB = {("tuple", "model"): "tuple[Any, ...]", ("tuple", "plan"): "tuple[Any, ...]"}
# Twin annotations written with its alias -> the stub's spelling.
TWIN_TO_STUB = {
    "FloatArray": "npt.NDArray[np.float64]",
    "tuple": "tuple[float, ...]",
    "dict": "dict[str, Any]",
}


def _compiled_module() -> Any:
    from coherency import _kernels

    return _kernels


def _public_functions(module: Any) -> dict[str, Any]:
    """Public callables defined by ``module`` itself or by its topic modules
    (``coherency._reference_*`` of the twin), not imported helpers."""
    out = {}
    for name in dir(module):
        obj = getattr(module, name)
        if name.startswith("_") or not callable(obj) or inspect.isclass(obj):
            continue
        own = getattr(obj, "__module__", module.__name__)
        if own != module.__name__ and not own.startswith(module.__name__ + "_"):
            continue
        out[name] = obj
    return out


def _stub_functions() -> dict[str, ast.FunctionDef]:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _stub_attributes() -> set[str]:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    return {
        node.target.id
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }


def _embedded_types(func: Any) -> dict[str, str]:
    """Parameter name -> Cython type from the ``embedsignature`` first docstring line."""
    first = (func.__doc__ or "").splitlines()[0]
    match = re.fullmatch(rf"{func.__name__}\((.*)\)(?:\s*->.*)?", first.strip())
    assert match, f"{func.__name__}: no embedded signature in {first!r}"
    types = {}
    for raw in filter(None, (p.strip() for p in match.group(1).split(","))):
        decl = raw.split("=", 1)[0].strip()
        parts = decl.replace("const ", "").rsplit(" ", 1)
        if len(parts) == 2:  # untyped (object) parameters carry no type
            types[parts[1]] = parts[0].strip()
    return types


def _params(sig: inspect.Signature) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


def _stub_signature(node: ast.FunctionDef) -> list[tuple[str, Any, Any]]:
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[Any] = [inspect.Parameter.empty] * (len(positional) - len(args.defaults))
    defaults += [ast.literal_eval(d) for d in args.defaults]
    out = []
    for i, (arg, default) in enumerate(zip(positional, defaults)):
        kind = (inspect.Parameter.POSITIONAL_ONLY if i < len(args.posonlyargs)
                else inspect.Parameter.POSITIONAL_OR_KEYWORD)
        out.append((arg.arg, kind, default))
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
        default = inspect.Parameter.empty if kw_default is None else ast.literal_eval(kw_default)
        out.append((arg.arg, inspect.Parameter.KEYWORD_ONLY, default))
    return out


def _twin_annotation(annotation: Any) -> str:
    if isinstance(annotation, str):
        text = annotation
    else:
        text = getattr(annotation, "__name__", str(annotation))
    if " | " in text:  # a union: each member by the table
        return " | ".join(TWIN_TO_STUB.get(t, t) for t in text.split(" | "))
    return TWIN_TO_STUB.get(text, text)


# --- compiled module, twin and stub agree ---------------------------------------------

@needs_compiled
def test_compiled_and_twin_export_the_same_kernels() -> None:
    compiled = _public_functions(_compiled_module())
    twin = _public_functions(_reference)
    assert compiled, "no public functions found in coherency._kernels"
    assert sorted(compiled) == sorted(twin)
    for name, func in compiled.items():
        assert _params(inspect.signature(func)) == _params(inspect.signature(twin[name])), name


@needs_compiled
def test_stub_matches_compiled_module() -> None:
    module = _compiled_module()
    compiled = _public_functions(module)
    stub = _stub_functions()
    assert sorted(n for n in stub if not n.startswith("_")) == sorted(compiled)
    for name, func in compiled.items():
        node = stub[name]
        assert _stub_signature(node) == _params(inspect.signature(func)), name
        ctypes = _embedded_types(func)
        for arg in node.args.args:
            assert arg.annotation is not None, f"{name}({arg.arg}) not annotated in the stub"
            if arg.arg in ctypes:
                ctype = ctypes[arg.arg]
                want = ARG_TO_STUB.get((ctype, arg.arg), C_TO_STUB[ctype])
                assert ast.unparse(arg.annotation) == want, (name, arg.arg)
    # module-level names the stub declares exist, with the declared type
    for attr in _stub_attributes():
        assert isinstance(getattr(module, attr), str), attr


def test_stub_returns_match_twin() -> None:
    # Runs without the extension too: the twin's annotations are the reference.
    twin = _public_functions(_reference)
    stub = _stub_functions()
    assert sorted(n for n in stub if not n.startswith("_")) == sorted(twin)
    for name, func in twin.items():
        node = stub[name]
        assert node.returns is not None, f"{name}: no return annotation in the stub"
        want = _twin_annotation(inspect.signature(func).return_annotation)
        assert ast.unparse(node.returns) == want, name
        params = inspect.signature(func).parameters
        for arg in node.args.args:
            assert ast.unparse(arg.annotation) == _twin_annotation(params[arg.arg].annotation), (
                name, arg.arg)


def test_embedded_type_parser() -> None:
    def f() -> None:
        """f(const double[::1] x, double r0, tuple spec, int n_threads=1, y=None)"""

    assert _embedded_types(f) == {"x": "double[::1]", "r0": "double", "spec": "tuple",
                                  "n_threads": "int"}


# --- typing files are shipped ------------------------------------------------------------

def test_typing_files_shipped() -> None:
    assert (PACKAGE_DIR / "py.typed").is_file()
    assert STUB.is_file()
    files = importlib.metadata.files(_version.__distribution__) or []
    recorded = {str(f).replace("\\", "/") for f in files}
    if "coherency/__init__.py" in recorded:  # an install that records its files (wheel)
        assert {"coherency/py.typed", "coherency/_kernels.pyi"} <= recorded


def test_installed_package_type_checks_for_users(tmp_path: Path) -> None:
    """mypy sees the package as typed (py.typed) and reads _kernels.pyi: a wrong use
    of a kernel's return value is caught, a right one passes."""
    pytest.importorskip("mypy")
    client = tmp_path / "client.py"
    client.write_text(textwrap.dedent("""
        import numpy as np
        import coherency
        from coherency import _kernels

        text: str = _kernels.simd_info()
        out = np.empty(3)
        _kernels.helm(np.linspace(0.0, 1.0, 3), 0.02, 0.005, out)
        cfg = coherency.config()
        version: str = coherency.__version__
        wrong: int = _kernels.simd_info()
    """))
    env = dict(os.environ)
    if "site-packages" not in PACKAGE_DIR.parts and "dist-packages" not in PACKAGE_DIR.parts:
        # editable install from a checkout: point mypy at it (errors inside the
        # package are silenced by --follow-imports=silent; only client.py counts)
        env["MYPYPATH"] = str(PACKAGE_DIR.parent)
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", os.devnull,
         "--python-version", f"{sys.version_info[0]}.{sys.version_info[1]}",
         "--no-error-summary", "--show-error-codes", "--follow-imports=silent", str(client)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env,
    )
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, proc.stdout + proc.stderr
    assert "client.py:11:" in errors[0] and '"str"' in errors[0] and '"int"' in errors[0]


# --- version ---------------------------------------------------------------------------

def test_version_single_sourced() -> None:
    assert coherency.__version__ == _version.__version__
    assert coherency.__version__ == importlib.metadata.version(_version.__distribution__)
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:[.-]?(?:a|b|rc|dev|post)\d*)?", coherency.__version__)


def test_distribution_name_in_pyproject() -> None:
    # The name users install (the import name stays ``coherency``).
    assert importlib.metadata.metadata(_version.__distribution__)["Name"] == "coherency-cevns"


def test_pyproject_reads_version_from_module() -> None:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    if not pyproject.is_file():
        pytest.skip("no pyproject.toml beside tests/")
    tomllib = pytest.importorskip("tomllib")
    meta = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    assert "version" not in meta["project"]
    assert "version" in meta["project"]["dynamic"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "coherency._version.__version__"}


# --- show_config -------------------------------------------------------------------------

def test_show_config_prints_everything(capsys: pytest.CaptureFixture[str]) -> None:
    assert coherency.show_config() is None
    text = capsys.readouterr().out
    assert text.startswith(f"coherency {coherency.__version__}\n")
    cfg = coherency.config()
    for key in ("backend", "compiled_available", "simd", "threads", "cpus_available", "compiler",
                "compile_flags", "python", "numpy", "scipy", "periodictable"):
        assert re.search(rf"^\s+{key}\s+: ", text, re.M), key
    assert cfg["numpy"] == importlib.metadata.version("numpy")
    assert cfg["scipy"] == importlib.metadata.version("scipy")
    assert cfg["periodictable"] == importlib.metadata.version("periodictable")
    assert cfg["python"].startswith(".".join(map(str, sys.version_info[:3])))


def test_show_config_as_dict_follows_backend() -> None:
    with coherency.use_backend("numpy"):
        assert coherency.show_config(as_dict=True)["backend"] == "numpy"  # type: ignore[index]
    cfg = coherency.show_config(as_dict=True)
    assert cfg == coherency.config()
    assert cfg["compiled_available"] is _backend.compiled_available()
    with pytest.raises(TypeError, match="as_dict"):
        coherency.show_config(as_dict="yes")  # type: ignore[arg-type]


@needs_compiled
def test_show_config_reports_the_build() -> None:
    module = _compiled_module()
    cfg = coherency.config()
    assert cfg["compiled_available"] is True and cfg["compiled_import_error"] is None
    assert Path(cfg["extension_path"]).resolve() == Path(module.__file__).resolve()
    # the SIMD clone is the one csrc picks for this CPU
    assert cfg["simd"] == module.simd_info()
    assert cfg["simd"] == "scalar libm" or "libmvec" in cfg["simd"] or "baseline" in cfg["simd"]
    # flags recorded at build time by setup.py, compiler identified by its macros
    assert cfg["compile_flags"] != "unknown" and cfg["compile_flags"]
    assert ("-O" in cfg["compile_flags"]) or ("/O" in cfg["compile_flags"])
    assert cfg["compiler"].split()[0] in ("gcc", "clang", "msvc"), cfg["compiler"]
    assert cfg["threads"] in ("pthreads", "serial")
    serial = "COH_NO_THREADS" in cfg["compile_flags"] or "-pthread" not in cfg["compile_flags"]
    assert cfg["threads"] == ("serial" if serial else "pthreads")
    assert "openmp" not in cfg["compile_flags"].lower()
    assert 1 <= cfg["cpus_available"] <= (os.cpu_count() or 1)


# --- without the extension ---------------------------------------------------------------

_HIDE_EXTENSION = textwrap.dedent("""
    import sys, warnings
    import importlib.abc

    class Hide(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "coherency._kernels":
                raise ModuleNotFoundError("No module named 'coherency._kernels' (hidden)",
                                          name=name)
            return None

    sys.meta_path.insert(0, Hide())
    warnings.simplefilter("always")
""")


def _run_hidden(body: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("COHERENCY_BACKEND", "COHERENCY_REQUIRE_COMPILED")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", _HIDE_EXTENSION + textwrap.dedent(body)],
        capture_output=True, text=True, env=environ, timeout=120,
    )


def test_missing_extension_warns_once_clearly() -> None:
    proc = _run_hidden("""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import coherency
            assert coherency.get_backend() == "numpy"
            assert coherency.helm_form_factor(0.0, 132) == 1.0
            coherency.helm_form_factor([0.1, 10.0], 132)
            coherency.sigma_total(30.0, coherency.nucleus("Xe132"))
            cfg = coherency.config()
        mine = [w for w in caught if issubclass(w.category, coherency.CoherencyWarning)]
        print(len(mine))
        for w in mine:
            print(w.message)
            print(w.filename)
        print(cfg["compiled_available"], cfg["simd"], cfg["compile_flags"])
        print(cfg["compiled_import_error"])
    """)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "1", proc.stdout
    message = lines[1]
    assert "coherency._kernels is not built" in message
    assert "numpy/scipy" in message
    # points at the caller, not at coherency's internals
    assert "_backend.py" not in lines[2]
    assert lines[3] == "False None None"
    assert "hidden" in lines[4]  # the real reason, not a bogus circular import


def test_missing_extension_silent_when_numpy_asked_for() -> None:
    proc = _run_hidden("""
        with warnings.catch_warnings(record=True) as caught:
            import coherency
            coherency.helm_form_factor([0.1, 10.0], 132)
        print(sum(issubclass(w.category, coherency.CoherencyWarning) for w in caught))
    """, COHERENCY_BACKEND="numpy")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["0"]


def test_missing_extension_is_an_error_when_required() -> None:
    proc = _run_hidden("import coherency\n", COHERENCY_REQUIRE_COMPILED="1")
    assert proc.returncode != 0
    assert "ImportError: COHERENCY_REQUIRE_COMPILED=1 but coherency._kernels is not built" \
        in proc.stderr
