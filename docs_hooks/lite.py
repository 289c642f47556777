"""MkDocs hook: the try-it site (``make lite``: JupyterLite) inside the documentation site.

The tutorials of ``TRY_IT`` get a "Try it" link (``try_it``, placed by ``notebooks.py``) to
``lite/notebooks/index.html?path=<name>.ipynb``, which opens that notebook in the browser's
Pyodide kernel. After each build (``make docs`` and every rebuild of ``make docs-serve``, whose
site lives in a temporary folder) the built try-it site, ``.lite/site``, is copied into the
site's ``lite/``; when it has not been built (``make docs`` and ``make docs-serve`` do not
build it: ``make lite``), the link leads nowhere and the build says so.

``make lite`` (the Makefile's comments; ../shared/design/jupyterlite.md has the recipe and its
traps) builds ``.lite/site`` and copies it to ``site/lite``, from PyPI and npm only, in a venv
of its own (``.venv-lite``, ``lite/build-requirements.txt``). ``lite/versions.mk`` pins what
moves together (JupyterLite, its Pyodide, the lock's wheels, the wheel tag);
``lite/piplite.txt`` the wheels nbagent needs there. ``lite/prepare_pyodide.py`` puts them and
nbagent's own wheel in the site's Pyodide lock, which the kernel loads at its start (the
tutorials run as they are); ``lite/check.py`` checks the output. Downloads are cached in
``.lite/`` (fetched again when their list changes); JupyterLite's build cache never survives
a build. ``make test``'s browser lane builds it (a stamp over its sources) for
``tests/browser/test_lite.py``: the site in Chromium with every other host refused.
"""

from __future__ import annotations

import html
import logging
import shutil
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig

LITE_SITE = Path(__file__).resolve().parents[1] / ".lite" / "site"
TRY_IT = ("quickstart", "tools-debugging", "evaluate")
"""The tutorials that run in the browser (no subprocess, no server)."""

log = logging.getLogger("mkdocs.hooks.lite")


def try_it(stem: str) -> str | None:
    """The HTML of the "Try it" link of tutorial ``stem``, or None where there is none."""
    if stem not in TRY_IT:
        return None
    href = html.escape(f"../lite/notebooks/index.html?path={stem}.ipynb")
    return (
        f'<p class="nb-try-it"><a class="md-button md-button--primary" href="{href}">'
        "Try it in your browser</a> runs this notebook in the page (JupyterLite: nothing to "
        "install, nothing sent anywhere).</p>"
    )


def on_post_build(config: MkDocsConfig) -> None:
    if not (LITE_SITE / "index.html").is_file():
        log.info("no try-it site in %s (make lite): the Try it links lead nowhere", LITE_SITE)
        return
    target = Path(config.site_dir) / "lite"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(LITE_SITE, target)
