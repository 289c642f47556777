# The versions that move together (../shared/design/jupyterlite.md): jupyterlite-core and
# jupyterlite-pyodide-kernel (build-requirements.in pins them too: lite/check.py compares), the
# Pyodide that kernel fixes (its constants.py: PYODIDE_VERSION), and so the lock whose wheels
# the kernel boots with (LOCK_ROOTS and their `depends`, at the lock's versions), and the wheel
# tag of the compiled wheels nbagent needs (piplite.txt) for that Pyodide's ABI and Python.
LITE_VERSION := 0.8.6
PYODIDE_VERSION := 314.0.6
PYODIDE_PLATFORM := pyemscripten_2026_0_wasm32
PYODIDE_PYTHON := 3.14
LOCK_ROOTS := micropip packaging ipython jedi
