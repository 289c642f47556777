"""What ``make lite`` built, checked: ``check.py SITE PYODIDE_VERSION LITE_VERSION``.

The Pyodide kernel fixes its Pyodide (``PYODIDE_VERSION`` in its ``constants.py``): that and the
installed jupyterlite packages must be lite/versions.mk's. The site's ``jupyter-lite.json``
must load Pyodide from the site (``pyodideUrl``) and never from PyPI
(``disablePyPIFallback``): JupyterLite's build cache can leave both out. The kernel must load
nbagent at its start, from the site's Pyodide lock (every file it names there). The three
tutorials and nbagent's lab extension must be there. Prints the site's size and file count.
"""

from __future__ import annotations

import json
import sys
from importlib import import_module
from importlib.metadata import version
from pathlib import Path

KERNEL = "@jupyterlite/pyodide-kernel-extension:kernel"
PYODIDE = "static/pyodide"
NOTEBOOKS = ("quickstart.ipynb", "tools-debugging.ipynb", "evaluate.ipynb")


def site_size(site: Path) -> tuple[int, int]:
    """The bytes and the number of files under ``site``."""
    files = [p for p in site.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def problems(site: Path, pyodide_version: str, lite_version: str) -> list[str]:
    kernel_version = import_module("jupyterlite_pyodide_kernel.constants").PYODIDE_VERSION
    found = []
    if pyodide_version != kernel_version:
        found.append(f"the kernel's Pyodide is {kernel_version}, versions.mk's {pyodide_version}")
    packages = ("jupyterlite-core", "jupyterlite-pyodide-kernel")
    found += [
        f"{p} is {version(p)}, versions.mk's {lite_version}"
        for p in packages
        if version(p) != lite_version
    ]
    config = json.loads((site / "jupyter-lite.json").read_text(encoding="utf-8"))
    kernel = config["jupyter-config-data"].get("litePluginSettings", {}).get(KERNEL, {})
    if kernel.get("pyodideUrl") != "./static/pyodide/pyodide.mjs":
        found.append(f"jupyter-lite.json: pyodideUrl is {kernel.get('pyodideUrl')!r}")
    if kernel.get("disablePyPIFallback") is not True:
        found.append("jupyter-lite.json: disablePyPIFallback is not true")
    found += [f"files/{n} missing" for n in NOTEBOOKS if not (site / "files" / n).is_file()]
    if kernel.get("loadPyodideOptions", {}).get("packages") != ["jupyter-nbagent"]:
        found.append("jupyter-lite.json: the kernel does not load jupyter-nbagent at its start")
    lock = json.loads((site / PYODIDE / "pyodide-lock.json").read_text(encoding="utf-8"))
    absent = [e["file_name"] for e in lock["packages"].values()]
    found += [f"{PYODIDE}/{n} missing" for n in absent if not (site / PYODIDE / n).is_file()]
    if "jupyter-nbagent" not in lock["packages"]:
        found.append(f"{PYODIDE}/pyodide-lock.json has no jupyter-nbagent")
    if not (site / "extensions" / "nbagent" / "package.json").is_file():
        found.append("extensions/nbagent (the lab extension) missing")
    if not (site / PYODIDE / "pyodide.asm.wasm").is_file():
        found.append(f"{PYODIDE}/pyodide.asm.wasm missing")
    return found


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        raise SystemExit(__doc__)
    site = Path(argv[0])
    found = problems(site, argv[1], argv[2])
    if found:
        raise SystemExit("make lite: the site is not right:\n  " + "\n  ".join(found))
    size, count = site_size(site)
    print(f"make lite: {site}: {size / 1e6:.1f} MB in {count} files")


if __name__ == "__main__":
    main(sys.argv[1:])
