"""A real ipykernel driven through jupyter_client, recording every IOPub message."""

from __future__ import annotations

import ast
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from jupyter_client.manager import KernelManager

from tests.wait import PATIENCE

ROOT = Path(__file__).resolve().parents[1]


class Kernel:
    """Starts a kernel; ``execute`` runs a cell; ``iopub`` holds every message seen."""

    def __init__(self) -> None:
        self.km = KernelManager(kernel_name="python3")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        self.km.start_kernel(cwd=str(ROOT), env=env)
        self.kc = self.km.blocking_client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self.iopub: list[dict[str, Any]] = []
        self._idle: set[str] = set()  # the msg_ids of the requests whose idle status came
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self.kc.get_iopub_msg(timeout=0.1)
            except Exception:  # noqa: BLE001 - queue.Empty on timeout
                continue
            msg["received"] = time.monotonic()
            with self._lock:
                self.iopub.append(msg)
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    self._idle.add(msg["parent_header"].get("msg_id", ""))
                    self._lock.notify_all()

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.iopub)

    def cell_messages(self, since: int, reply: dict[str, Any]) -> list[dict[str, Any]]:
        """The IOPub messages from index ``since`` on that the cell of ``reply`` caused: its
        own, and every comm message (a widget's flushes come from other threads, unparented)."""
        msg_id = reply["parent_header"]["msg_id"]
        return [
            m
            for m in self.messages()[since:]
            if m["parent_header"].get("msg_id") == msg_id or m["msg_type"].startswith("comm")
        ]

    def execute(
        self, code: str, timeout: float = 60, *, cell_id: str | None = None
    ) -> dict[str, Any]:
        """Run a cell; wait for its reply and its idle status; raise on an error reply.

        ``cell_id`` is sent in the request's metadata, as JupyterLab does.
        """
        return self.reply(self.send(code, cell_id=cell_id), timeout)

    def send(self, code: str, *, cell_id: str | None = None) -> str:
        """Start running a cell; its msg_id, for ``reply``."""
        if cell_id is None:
            msg_id = self.kc.execute(code)
        else:
            content = {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            }
            msg = self.kc.session.msg("execute_request", content, metadata={"cellId": cell_id})
            self.kc.shell_channel.send(msg)
            msg_id = msg["header"]["msg_id"]
        return str(msg_id)

    def reply(self, msg_id: str, timeout: float = 60, *, check: bool = True) -> dict[str, Any]:
        """Wait for a cell's reply and its idle status; raise on an error reply if ``check``."""
        deadline = time.monotonic() + timeout
        reply = None
        while reply is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no reply within {timeout} s for cell {msg_id}")
            msg = self.kc.get_shell_msg(timeout=remaining)
            if msg["parent_header"].get("msg_id") == msg_id:
                reply = msg
        with self._lock:
            idle = self._lock.wait_for(
                lambda: msg_id in self._idle, max(0.0, deadline - time.monotonic())
            )
        if not idle:
            raise TimeoutError(f"kernel never went idle after cell {msg_id} (within {timeout} s)")
        if check and reply["content"]["status"] != "ok":
            raise AssertionError(
                "cell failed: "
                + "\n".join(reply["content"].get("traceback", []))
                + "\n"
                + self.outputs(msg_id)
            )
        return reply

    def outputs(self, msg_id: str) -> str:
        out = []
        for m in self.messages():
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            if m["msg_type"] == "stream":
                out.append(m["content"]["text"])
            elif m["msg_type"] == "error":
                out.append("\n".join(m["content"]["traceback"]))
        return "".join(out)

    def wait_output(self, msg_id: str, needle: str, timeout: float = 30) -> str:
        """Wait until the cell ``msg_id`` has printed ``needle``; what it printed."""
        deadline = time.monotonic() + timeout
        while needle not in (out := self.outputs(msg_id)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"cell {msg_id} did not print {needle!r} in {timeout} s: {out}")
            time.sleep(0.01)
        return out

    def value(self, expression: str) -> Any:
        """Evaluate ``expression`` in the kernel and return it decoded from JSON.

        Asked again when the kernel aborts the request: right after a cell fails (an
        interrupt), ipykernel aborts what arrives until it has cleared its queue.
        """
        for _ in range(20):
            reply = self.kc.execute(
                "", user_expressions={"v": f"__import__('json').dumps({expression})"}
            )
            while True:
                msg = self.kc.get_shell_msg(timeout=30)
                if msg["parent_header"].get("msg_id") == reply:
                    break
            if msg["content"]["status"] != "aborted":
                break
            time.sleep(0.05)
        result = msg["content"]["user_expressions"]["v"]
        if result["status"] != "ok":
            raise AssertionError(f"{expression}: {result}")
        return json.loads(ast.literal_eval(result["data"]["text/plain"]))

    def send_custom(self, comm_id: str, content: dict[str, Any]) -> None:
        """Send a widget custom message to the kernel, as a view's ``model.send`` does."""
        data = {"method": "custom", "content": content}
        msg = self.kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
        self.kc.shell_channel.send(msg)

    def wait_value(self, expression: str, expected: Any, timeout: float = PATIENCE) -> None:
        """Poll ``expression`` until it equals ``expected``."""
        deadline = time.monotonic() + timeout
        while (value := self.value(expression)) != expected:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expression} is {value!r}, not {expected!r}")
            time.sleep(0.05)

    def start_afresh(self) -> None:
        """Make this kernel as a module that shares it expects to find it: the runs an
        earlier module left streaming stopped (and ended), the user namespace emptied
        (``%reset -f``: imported modules, nbagent's and the frameworks' stay, as in a notebook
        whose cells were cleared), and the IOPub record forgotten (a test counts messages from
        ``len(kernel.messages())``; the old ones only made every scan longer). What the
        earlier modules left alive is then moved out of the collector's sight (``gc.freeze``,
        as tests/conftest.py does in the tests' process): a leak check's ``gc.collect()`` in
        the kernel walks what this module made, not every framework the session imported."""
        # value(), not execute(): asked again if aborted (an interrupt just before).
        registry = "__import__('nbagent.runtime.registry').runtime.registry"
        self.value(f"{registry}.stop_all()")
        # Not live() == []: an ended replay stays in it (ReplayRun._ended hides Run._ended).
        self.wait_value(f"[repr(run) for run in {registry}.live() if not run.done]", [])
        self.execute("%reset -f\nimport gc as _gc\n_gc.collect()\n_gc.freeze()\ndel _gc")
        with self._lock:
            self.iopub.clear()
            self._idle.clear()

    def close(self) -> None:
        self._stop.set()
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def final_state(kernel: Kernel, since: int) -> dict[str, Any]:
    """The final snapshot of the one widget a cell made after IOPub message ``since``."""
    (widget,) = widget_traffic(kernel.messages(), since)["widgets"]
    assert widget["final"] is not None, "the run never wrote its final snapshot"
    state: dict[str, Any] = widget["final"]["state"]
    return state


def widget_traffic(messages: list[dict[str, Any]], since: int = 0) -> dict[str, Any]:
    """Split the nbagent widgets' comm traffic out of a list of IOPub messages.

    Returns, per run widget (opened after ``since``), its comm_open, its update
    messages (``comm_msg``: custom ops and trait updates), their sizes and send times.
    """
    opens = [
        m
        for m in messages[since:]
        if m["msg_type"] == "comm_open"
        and "snapshot" in m["content"].get("data", {}).get("state", {})
    ]
    widgets = []
    for open_msg in opens:
        comm_id = open_msg["content"]["comm_id"]
        updates = [
            m
            for m in messages
            if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id
        ]
        snapshots = [
            u["content"]["data"]["state"]["snapshot"]
            for u in updates
            if u["content"]["data"].get("method") == "update"
            and "snapshot" in u["content"]["data"].get("state", {})
        ]
        widgets.append(
            {
                "comm_id": comm_id,
                "open": open_msg,
                "updates": updates,
                "custom": [
                    u["content"]["data"]["content"]
                    for u in updates
                    if u["content"]["data"].get("method") == "custom"
                ],
                "bytes": sum(len(json.dumps(u["content"]).encode()) for u in updates),
                "final": snapshots[-1] if snapshots else None,
                # When the kernel sent each (its header's date), not when this process read
                # it: a pause here would bunch them, and a window would seem to hold more.
                "times": [u["header"]["date"].timestamp() for u in updates],
            }
        )
    return {"widgets": widgets}


def max_per_second(times: list[float]) -> int:
    """Most messages in any 1 s window."""
    times = sorted(times)
    best = 0
    start = 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


ANNOUNCED_WAIT = (
    "blocking = run._driver.wait\n"
    "def announced(timeout):\n"
    "    print('waiting', flush=True)\n"
    "    blocking(timeout)\n"
    "run._driver.wait = announced\n"
)
"""Kernel code after which ``run.wait()`` prints "waiting" once it has begun to wait: a test
interrupts the kernel after that (a SIGINT between a ``print`` and the wait would not reach
the wait; CI's loaded machine once sent one there)."""
