"""The Pyodide runtime of the try-it site, from npm's ``pyodide`` package and PyPI's wheels.

``make lite`` runs it twice, with the build's venv (``.venv-lite``, for ``packaging``):

    prepare_pyodide.py wheels LOCK ROOT...      # the lock wheels to download, name==version
    prepare_pyodide.py runtime PACKAGE LOCKWHEELS WHEELS OUT ROOT...

``runtime`` writes the site's ``static/pyodide/`` (``OUT``): the runtime files of the npm package
(``PACKAGE``), the lock wheels the kernel boots with (``ROOT`` and their ``depends``, from
``LOCKWHEELS``) and nbagent's wheels (``WHEELS``: nbagent's and lite/piplite.txt's), and a lock
of exactly those. Each entry has the sha256 of the file there (PyPI's wheels are not Pyodide's
re-packed ones, and the page checks the lock's hash); an entry whose file is absent would make
micropip fetch it and fail, so the lock is pruned and its ``depends`` must close. nbagent's
wheels join the lock so the kernel loads them at its start (``loadPyodideOptions``): the
tutorials ``import nbagent`` as they are. Every requirement of theirs that applies in the
browser (markers evaluated for Pyodide) must be met there, or by the kernel's own wheels
(its ipykernel and widgetsnbextension).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

RUNTIME = ("pyodide.mjs", "pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
KERNEL_WHEELS = "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension/static/pypi"


def closure(packages: dict[str, Any], roots: list[str]) -> list[str]:
    """The lock's names that ``roots`` need (``depends``, transitively), sorted; a name the
    lock lacks fails."""
    seen: set[str] = set()
    todo = [str(canonicalize_name(r)) for r in roots]
    by_name = {str(canonicalize_name(k)): k for k in packages}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in by_name:
            raise SystemExit(f"prepare_pyodide: {name!r} is not in the lock")
        seen.add(name)
        todo.extend(str(canonicalize_name(d)) for d in packages[by_name[name]]["depends"])
    return sorted(by_name[n] for n in seen)


def wheels(lock: Path, roots: list[str]) -> None:
    packages = json.loads(lock.read_text(encoding="utf-8"))["packages"]
    for name in closure(packages, roots):
        print(f"{name}=={packages[name]['version']}")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _environment(info: dict[str, Any]) -> dict[str, str]:
    env = {k: str(v) for k, v in default_environment().items()}
    python = info["python"]
    env.update(
        sys_platform="emscripten", platform_system="Emscripten", platform_machine="wasm32",
        os_name="posix", python_full_version=python,
        python_version=".".join(python.split(".")[:2]),
        implementation_name="cpython", platform_python_implementation="CPython",
    )  # fmt: skip
    return env


def _requires(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        message = Parser().parsestr(z.read(meta).decode("utf-8"))
    return message.get_all("Requires-Dist") or []


def _imports(wheel: Path) -> list[str]:
    """The top-level modules of ``wheel`` (its RECORD's first path parts)."""
    with zipfile.ZipFile(wheel) as z:
        tops = {n.split("/")[0] for n in z.namelist()}
    names = {t.removesuffix(".py") for t in tops if not t.endswith((".dist-info", ".data"))}
    return sorted(n for n in names if n.isidentifier())


def entries(wheels: Path, kept: dict[str, str], info: dict[str, Any]) -> dict[str, Any]:
    """A lock entry for each wheel in ``wheels``, its ``depends`` the requirements that apply
    in the browser (markers evaluated for Pyodide); a requirement met neither there, in the
    lock's ``kept`` {name: version} nor by the kernel's own wheels fails, listed."""
    available = dict(kept)
    stubs = sorted((Path(sys.prefix) / KERNEL_WHEELS).glob("*.whl"))
    if not stubs:
        raise SystemExit(f"prepare_pyodide: no kernel wheels in {sys.prefix}/{KERNEL_WHEELS}")
    found: dict[str, tuple[Path, str]] = {}
    for wheel in sorted(wheels.glob("*.whl")):
        wheel_name, wheel_version, _, _ = parse_wheel_filename(wheel.name)
        found[wheel_name] = (wheel, str(wheel_version))
    available |= {n: v for n, (_, v) in found.items()}
    own = set(available)
    for stub in stubs:
        stub_name, stub_version, _, _ = parse_wheel_filename(stub.name)
        available[stub_name] = str(stub_version)
    env = _environment(info)
    unmet: list[str] = []
    out: dict[str, Any] = {}
    for name, (wheel, version) in found.items():
        depends: list[str] = []
        for line in _requires(wheel):
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate(env | {"extra": ""}):
                continue
            dep = str(canonicalize_name(req.name))
            have = available.get(dep)
            if have is None or not req.specifier.contains(Version(have), prereleases=True):
                unmet.append(f"{wheel.name}: {line} (have {have})")
            elif dep in own:
                depends.append(dep)
        out[name] = {
            "name": name, "version": version, "file_name": wheel.name, "install_dir": "site",
            "sha256": _sha256(wheel), "package_type": "package", "imports": _imports(wheel),
            "depends": sorted(set(depends)), "unvendored_tests": False,
        }  # fmt: skip
    if unmet:
        raise SystemExit("prepare_pyodide: unmet in the browser:\n  " + "\n  ".join(unmet))
    return out


def runtime(package: Path, lockwheels: Path, wheels: Path, out: Path, roots: list[str]) -> None:
    lock = json.loads((package / "pyodide-lock.json").read_text(encoding="utf-8"))
    packages: dict[str, Any] = lock["packages"]
    names = closure(packages, roots)
    files: dict[tuple[str, str], Path] = {}
    for path in lockwheels.glob("*.whl"):
        wheel_name, wheel_version, _, _ = parse_wheel_filename(path.name)
        files[(wheel_name, str(wheel_version))] = path
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for runtime_file in RUNTIME:
        shutil.copy2(package / runtime_file, out / runtime_file)
    kept: dict[str, Any] = {}
    for name in names:
        entry = dict(packages[name])
        wheel = files.get((str(canonicalize_name(name)), str(Version(entry["version"]))))
        if wheel is None:
            raise SystemExit(f"prepare_pyodide: no wheel of {name}=={entry['version']}")
        shutil.copy2(wheel, out / wheel.name)
        entry.update(file_name=wheel.name, sha256=_sha256(wheel))
        kept[name] = entry
    versions = {str(canonicalize_name(k)): str(v["version"]) for k, v in kept.items()}
    for name, entry in kept.items():
        missing = [d for d in entry["depends"] if canonicalize_name(d) not in versions]
        assert not missing, f"{name} depends on {missing}, not kept"
    added = entries(wheels, versions, lock["info"])
    for entry in added.values():
        shutil.copy2(wheels / entry["file_name"], out / entry["file_name"])
    lock["packages"] = kept | added
    (out / "pyodide-lock.json").write_text(json.dumps(lock, indent=1), encoding="utf-8")
    size = sum(p.stat().st_size for p in out.iterdir())
    print(f"prepare_pyodide: {len(kept)} + {len(added)} wheels, {size / 1e6:.1f} MB in {out}")


def main(argv: list[str]) -> None:
    if argv[:1] == ["wheels"] and len(argv) >= 3:
        wheels(Path(argv[1]), argv[2:])
    elif argv[:1] == ["runtime"] and len(argv) >= 6:
        runtime(Path(argv[1]), Path(argv[2]), Path(argv[3]), Path(argv[4]), argv[5:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
