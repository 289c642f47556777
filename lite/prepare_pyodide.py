"""The Pyodide runtime of the try-it site, from npm's ``pyodide`` package and PyPI's wheels.

``make lite`` runs it twice, with the build's venv (``.venv-lite``, for ``packaging``):

    prepare_pyodide.py wheels LOCK ROOT...      # the lock wheels to download, name==version
    prepare_pyodide.py runtime PACKAGE LOCKWHEELS PYPI OUT ROOT...

``runtime`` copies the runtime files of the npm package (``PACKAGE``) and the lock wheels
(``LOCKWHEELS``) into ``OUT`` (the site's ``static/pyodide/``) and writes a lock of only those
wheels, each with the sha256 of the file downloaded (PyPI's wheels are not Pyodide's re-packed
ones, and the page checks the lock's hash): a lock entry whose file is absent would make
micropip fetch it and fail. It asserts that the kept entries' ``depends`` close, and that
every requirement of the wheels in ``PYPI`` (the site's ``pypi/``, nbagent's own among them;
markers evaluated for Pyodide) is met by ``PYPI``, the kept lock, or the kernel's own wheels.
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
    todo = [canonicalize_name(r) for r in roots]
    by_name = {canonicalize_name(k): k for k in packages}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in by_name:
            raise SystemExit(f"prepare_pyodide: {name!r} is not in the lock")
        seen.add(name)
        todo.extend(canonicalize_name(d) for d in packages[by_name[name]]["depends"])
    return sorted(by_name[n] for n in seen)


def wheels(lock: Path, roots: list[str]) -> None:
    packages = json.loads(lock.read_text(encoding="utf-8"))["packages"]
    for name in closure(packages, roots):
        print(f"{name}=={packages[name]['version']}")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _environment(info: dict[str, Any]) -> dict[str, str]:
    env = dict(default_environment())
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


def check_requirements(pypi: Path, kept: dict[str, str], info: dict[str, Any]) -> None:
    """Every requirement of the wheels in ``pypi`` met (see the module's docstring)."""
    available = dict(kept)
    stubs = sorted((Path(sys.prefix) / KERNEL_WHEELS).glob("*.whl"))
    if not stubs:
        raise SystemExit(f"prepare_pyodide: no kernel wheels in {sys.prefix}/{KERNEL_WHEELS}")
    for wheel in [*stubs, *sorted(pypi.glob("*.whl"))]:
        name, version, _, _ = parse_wheel_filename(wheel.name)
        available[name] = str(version)
    env = _environment(info)
    unmet = []
    for wheel in sorted(pypi.glob("*.whl")):
        for line in _requires(wheel):
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate(env | {"extra": ""}):
                continue
            have = available.get(canonicalize_name(req.name))
            if have is None or not req.specifier.contains(Version(have), prereleases=True):
                unmet.append(f"{wheel.name}: {line} (have {have})")
    if unmet:
        raise SystemExit("prepare_pyodide: unmet in the browser:\n  " + "\n  ".join(unmet))


def runtime(package: Path, lockwheels: Path, pypi: Path, out: Path, roots: list[str]) -> None:
    lock = json.loads((package / "pyodide-lock.json").read_text(encoding="utf-8"))
    packages: dict[str, Any] = lock["packages"]
    names = closure(packages, roots)
    files = {}
    for wheel in lockwheels.glob("*.whl"):
        name, version, _, _ = parse_wheel_filename(wheel.name)
        files[(name, str(version))] = wheel
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name in RUNTIME:
        shutil.copy2(package / name, out / name)
    kept: dict[str, Any] = {}
    for name in names:
        entry = dict(packages[name])
        wheel = files.get((canonicalize_name(name), str(Version(entry["version"]))))
        if wheel is None:
            raise SystemExit(f"prepare_pyodide: no wheel of {name}=={entry['version']}")
        shutil.copy2(wheel, out / wheel.name)
        entry.update(file_name=wheel.name, sha256=_sha256(wheel))
        kept[name] = entry
    kept_names = {canonicalize_name(k) for k in kept}
    for name, entry in kept.items():
        missing = [d for d in entry["depends"] if canonicalize_name(d) not in kept_names]
        assert not missing, f"{name} depends on {missing}, not kept"
    lock["packages"] = kept
    (out / "pyodide-lock.json").write_text(json.dumps(lock, indent=1), encoding="utf-8")
    versions = {canonicalize_name(k): v["version"] for k, v in kept.items()}
    check_requirements(pypi, versions, lock["info"])
    size = sum(p.stat().st_size for p in out.iterdir())
    print(f"prepare_pyodide: {len(kept)} lock wheels, {size / 1e6:.1f} MB in {out}")


def main(argv: list[str]) -> None:
    if argv[:1] == ["wheels"] and len(argv) >= 3:
        wheels(Path(argv[1]), argv[2:])
    elif argv[:1] == ["runtime"] and len(argv) >= 6:
        runtime(Path(argv[1]), Path(argv[2]), Path(argv[3]), Path(argv[4]), argv[5:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
