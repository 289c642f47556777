"""What `jupyter execute` saves goes out inside a cell: ``kernel.again_in_a_cell`` and
``kernel.sent_in_a_cell`` against the kernel's cell hooks (``_pre_run_cell``,
``_post_run_cell``), called here as IPython calls them, without a kernel."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nbagent.runtime import kernel


@pytest.fixture(autouse=True)
def cells(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh cell count, as in a kernel whose cells nbagent follows."""
    monkeypatch.setattr(kernel, "_hook", lambda: True)
    monkeypatch.setattr(kernel, "_cells", (False, 0))
    monkeypatch.setattr(kernel, "_next_cell_callbacks", [])
    monkeypatch.setattr(kernel, "_cell_end_callbacks", [])
    monkeypatch.setattr(kernel, "_rerun_callbacks", [])


def cell_begins() -> None:
    kernel._pre_run_cell(None)


def cell_ends() -> None:
    kernel._post_run_cell(None)


def noting(calls: list[kernel.CellMark]) -> Callable[[], None]:
    return lambda: calls.append(kernel.cell_mark())


def test_a_cell_begun_since_the_mark_gets_it_at_once() -> None:
    mark = kernel.cell_mark()  # between two cells
    cell_begins()  # the notebook's last cell begins before the sender looks again
    calls: list[kernel.CellMark] = []
    kernel.again_in_a_cell(mark, noting(calls))
    assert calls == [(True, 0)]


def test_between_cells_it_waits_for_the_next_once() -> None:
    cell_begins()
    cell_ends()
    calls: list[kernel.CellMark] = []
    kernel.again_in_a_cell(kernel.cell_mark(), noting(calls))
    assert calls == []
    cell_begins()
    assert calls == [(True, 1)]
    cell_ends()
    cell_begins()
    assert calls == [(True, 1)]


def test_what_a_cell_ending_while_it_went_out_sends_again_in_the_next() -> None:
    cell_begins()
    sent: list[str] = []

    def send() -> None:
        sent.append("send")
        cell_ends()  # the cell ends while the message goes out, and the last one begins
        cell_begins()

    kernel.sent_in_a_cell(send, lambda: sent.append("again"))
    assert sent == ["send", "again"]


def test_what_went_out_inside_one_cell_goes_once() -> None:
    cell_begins()
    sent: list[str] = []
    kernel.sent_in_a_cell(lambda: sent.append("send"), lambda: sent.append("again"))
    assert sent == ["send"]
