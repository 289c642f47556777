"""What ``make lite`` built, checked: ``check.py SITE PYODIDE_VERSION LITE_VERSION``.

The Pyodide kernel fixes its Pyodide (``PYODIDE_VERSION`` in its ``constants.py``): that and the
installed jupyterlite packages must be lite/versions.mk's. The site's ``jupyter-lite.json``
must load Pyodide from the site (``pyodideUrl``) and never from PyPI
(``disablePyPIFallback``): JupyterLite's build cache can leave both out. The three tutorials,
nbagent's wheel in ``pypi/all.json`` and nbagent's lab extension must be there. Prints the
site's size and file count.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

KERNEL = "@jupyterlite/pyodide-kernel-extension:kernel"
NOTEBOOKS = ("quickstart.ipynb", "tools-debugging.ipynb", "evaluate.ipynb")


def site_size(site: Path) -> tuple[int, int]:
    """The bytes and the number of files under ``site``."""
    files = [p for p in site.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def problems(site: Path, pyodide_version: str, lite_version: str) -> list[str]:
    from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION

    found = []
    if PYODIDE_VERSION != pyodide_version:
        found.append(f"the kernel's Pyodide is {PYODIDE_VERSION}, versions.mk's {pyodide_version}")
    for package in ("jupyterlite-core", "jupyterlite-pyodide-kernel"):
        if version(package) != lite_version:
            found.append(f"{package} is {version(package)}, versions.mk's {lite_version}")
    config = json.loads((site / "jupyter-lite.json").read_text(encoding="utf-8"))
    kernel = config["jupyter-config-data"].get("litePluginSettings", {}).get(KERNEL, {})
    if kernel.get("pyodideUrl") != "./static/pyodide/pyodide.mjs":
        found.append(f"jupyter-lite.json: pyodideUrl is {kernel.get('pyodideUrl')!r}")
    if kernel.get("disablePyPIFallback") is not True:
        found.append("jupyter-lite.json: disablePyPIFallback is not true")
    found += [f"files/{n} missing" for n in NOTEBOOKS if not (site / "files" / n).is_file()]
    index = json.loads((site / "pypi" / "all.json").read_text(encoding="utf-8"))
    if "jupyter-nbagent" not in index:
        found.append("pypi/all.json has no jupyter-nbagent")
    if not (site / "extensions" / "nbagent" / "package.json").is_file():
        found.append("extensions/nbagent (the lab extension) missing")
    if not (site / "static" / "pyodide" / "pyodide.asm.wasm").is_file():
        found.append("static/pyodide/pyodide.asm.wasm missing")
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
