"""LangChain / LangGraph's hook: a callback handler, installed the way LangChain installs its
own tracers.

In a ``with nbagent.watch():`` block the handler goes in through LangChain's configure hooks
(``langchain_core.tracers.context.register_configure_hook``): a ``ContextVar`` set to the
handler for the block's context, which every ``CallbackManager.configure`` of a top-level
call made in that context picks up (``_configure`` reads ``_configure_hooks``). Nothing is
patched; leaving the block resets the variable and takes our entry out of the list again.
Child runs get the handler from their parent's callback manager, so the calls LangChain and
LangGraph run on threads of their own (``batch``, ``RunnableParallel``, a ``ToolNode``'s sync
tools) are seen too; a top-level call made on a thread the user starts without copying the
context (``threading.Thread``) is not: that thread's context has no handler.

``nbagent.watch(obj)``: a model (``BaseLanguageModel.callbacks``: the handler is appended,
and removed again on stop) or a compiled LangGraph graph / a ``RunnableBinding`` (their
``config["callbacks"]``: a new config with the handler added; stop puts the very same
config object back).

Records: the callback's name as ``kind``; ``data`` a dict of its arguments (run ids as
strings; an error as its type name and message: no exception or traceback is kept). ``root``
is the top-level run the callback belongs to (the first run whose parent the handler has not
seen); ``last`` marks that run's end or error.
"""

from __future__ import annotations

import contextvars
import threading
from typing import Any, ClassVar

from nbagent.core.errors import error_text
from nbagent.core.values import type_is
from nbagent.sources.hooks.base import Emit, Hook, HookError

__all__ = ["LangChainHook"]


class LangChainHook(Hook):
    """Records LangChain's callbacks: chat model, LLM, tool and chain (graph) runs."""

    family: ClassVar[str] = "langchain"
    modules: ClassVar[tuple[str, ...]] = ("langchain_core",)
    watches: ClassVar[str] = (
        "a LangChain model (chat model or LLM), a compiled LangGraph graph, or a runnable "
        "made with .with_config()/.bind() (RunnableBinding)"
    )

    def __init__(self, emit: Emit, target: Any = None) -> None:
        super().__init__(emit, target)
        self.handler: Any = None
        self._roots: dict[str, str] = {}  # run id -> its root run id, while the run is open
        self._lock = threading.Lock()  # the library calls back from its worker threads
        self._var: contextvars.ContextVar[Any] | None = None
        self._token: contextvars.Token[Any] | None = None
        self._entry: tuple[Any, ...] | None = None
        self._undo: Any = None  # how watch(obj) puts the object back

    @classmethod
    def can_watch(cls, obj: Any) -> bool:
        if isinstance(obj, type):
            return False
        return (
            type_is(obj, "langchain_core", "BaseLanguageModel")
            or type_is(obj, "langgraph", "Pregel")
            or type_is(obj, "langchain_core", "RunnableBindingBase")
        )

    # -- install / uninstall ------------------------------------------------------------------

    def install(self) -> None:
        try:
            self.handler = _handler_class()(self)
        except ImportError as exc:  # pragma: no cover - a langchain-core too old or too new
            raise HookError(f"cannot use LangChain's callbacks: {exc}") from exc
        if self.target is None:
            self._install_context()
        else:
            self._install_target(self.target)

    def _install_context(self) -> None:
        try:
            from langchain_core.tracers import context as lc_context
        except ImportError as exc:  # pragma: no cover
            raise HookError(f"langchain_core.tracers.context is missing: {exc}") from exc
        hooks = getattr(lc_context, "_configure_hooks", None)
        if not isinstance(hooks, list):
            raise HookError("this langchain-core has no configure hooks list (_configure_hooks)")
        var: contextvars.ContextVar[Any] = contextvars.ContextVar(
            "nbagent_langchain_handler", default=None
        )
        lc_context.register_configure_hook(var, True)
        # register_configure_hook appends one tuple: keep it to take exactly it out again
        self._entry = next(entry for entry in reversed(hooks) if entry[0] is var)
        self._var = var
        self._token = var.set(self.handler)

    def _install_target(self, obj: Any) -> None:
        handler = self.handler
        if type_is(obj, "langchain_core", "BaseLanguageModel"):
            before = obj.callbacks
            if before is None:
                obj.callbacks = [handler]
            elif isinstance(before, list):
                before.append(handler)
            else:  # a callback manager
                before.add_handler(handler, True)
            self._undo = ("model", obj, before)
            return
        config = getattr(obj, "config", None)
        if config is not None and not isinstance(config, dict):
            raise HookError(f"cannot add a callback to {type(obj).__name__}: its config is odd")
        new = dict(config or {})
        callbacks = new.get("callbacks")
        if callbacks is None:
            new["callbacks"] = [handler]
        elif isinstance(callbacks, list):
            new["callbacks"] = [*callbacks, handler]
        else:  # a callback manager: a copy with the handler, the user's one untouched
            manager = callbacks.copy()
            manager.add_handler(handler, True)
            new["callbacks"] = manager
        obj.config = new
        self._undo = ("config", obj, config)

    def uninstall(self) -> None:
        self._uninstall_context()
        undo, self._undo = self._undo, None
        if undo is not None:
            self._uninstall_target(*undo)
        with self._lock:
            self._roots.clear()

    def _uninstall_context(self) -> None:
        var, token, entry = self._var, self._token, self._entry
        self._var = self._token = self._entry = None
        if var is None:
            return
        try:
            if token is not None:
                var.reset(token)
        except ValueError:  # left in another context than the one entered (a generator)
            var.set(None)
        try:
            from langchain_core.tracers import context as lc_context

            hooks = lc_context._configure_hooks
            for i, item in enumerate(hooks):
                if item is entry:
                    del hooks[i]
                    break
        except Exception:  # noqa: BLE001 - uninstall never raises; the var is unset
            pass

    def _uninstall_target(self, how: str, obj: Any, before: Any) -> None:
        handler = self.handler
        try:
            if how == "config":
                obj.config = before
            elif before is None:
                obj.callbacks = None
            elif isinstance(before, list):
                for i, item in enumerate(before):
                    if item is handler:
                        del before[i]
                        break
            else:
                before.remove_handler(handler)
        except Exception:  # noqa: BLE001 - uninstall never raises
            pass

    # -- from the handler ---------------------------------------------------------------------

    def started(self, kind: str, data: dict[str, Any]) -> None:
        """A run began: note its root (its parent's, or itself when the parent is unknown)."""
        run_id = data["run_id"]
        parent = data.get("parent_run_id")
        with self._lock:
            root = self._roots.get(parent, run_id) if parent else run_id
            self._roots[run_id] = root
        self.record(kind, data, root=root)

    def during(self, kind: str, data: dict[str, Any]) -> None:
        """A token of a run still open (dropped for a run begun before the watch)."""
        with self._lock:
            root = self._roots.get(data["run_id"])
        if root is not None:
            self.record(kind, data, root=root)

    def ended(self, kind: str, data: dict[str, Any]) -> None:
        """A run ended or failed; the root's end is the ``last`` record of its call."""
        run_id = data["run_id"]
        with self._lock:
            root = self._roots.pop(run_id, None)
        if root is not None:
            self.record(kind, data, root=root, last=root == run_id)


_HANDLER: list[type[Any]] = []  # the handler class, made once LangChain is imported


def _ids(run_id: Any, parent_run_id: Any) -> dict[str, Any]:
    return {"run_id": str(run_id), "parent_run_id": str(parent_run_id) if parent_run_id else None}


def _error(error: BaseException) -> dict[str, Any]:
    """An exception as text: keeping it would keep its traceback's frames alive."""
    return {"error_type": type(error).__name__, "message": error_text(error)}


def _handler_class() -> type[Any]:
    """``BaseCallbackHandler`` subclass whose callbacks hand their arguments to a hook.

    ``run_inline``: in async code LangChain calls it on the loop, in order, instead of in
    an executor (it only queues a record). Each callback swallows its own failure: the
    library's call must go on whatever happens here.
    """
    if _HANDLER:
        return _HANDLER[0]
    from langchain_core.callbacks import BaseCallbackHandler

    class NbagentCallbackHandler(BaseCallbackHandler):
        run_inline = True
        raise_error = False

        def __init__(self, hook: LangChainHook) -> None:
            self.hook = hook

        def __repr__(self) -> str:
            return "<nbagent.watch() LangChain callback handler>"

        def _start(self, kind: str, data: dict[str, Any], kwargs: dict[str, Any]) -> None:
            try:
                data.update(_ids(kwargs.get("run_id"), kwargs.get("parent_run_id")))
                data["metadata"] = kwargs.get("metadata")
                data["name"] = kwargs.get("name")
                self.hook.started(kind, data)
            except Exception:  # noqa: BLE001 - never raise into the library
                pass

        def _end(self, kind: str, data: dict[str, Any], kwargs: dict[str, Any]) -> None:
            try:
                data.update(_ids(kwargs.get("run_id"), kwargs.get("parent_run_id")))
                self.hook.ended(kind, data)
            except Exception:  # noqa: BLE001 - never raise into the library
                pass

        def on_chat_model_start(self, serialized: Any, messages: Any, **kw: Any) -> None:
            data = {"serialized": serialized, "invocation_params": kw.get("invocation_params")}
            self._start("on_chat_model_start", data, kw)

        def on_llm_start(self, serialized: Any, prompts: Any, **kw: Any) -> None:
            data = {"serialized": serialized, "invocation_params": kw.get("invocation_params")}
            self._start("on_llm_start", data, kw)

        def on_llm_new_token(self, token: Any, **kw: Any) -> None:
            try:
                data = {"token": token, "chunk": kw.get("chunk"), "run_id": str(kw["run_id"])}
                self.hook.during("on_llm_new_token", data)
            except Exception:  # noqa: BLE001 - never raise into the library
                pass

        def on_llm_end(self, response: Any, **kw: Any) -> None:
            self._end("on_llm_end", {"response": response}, kw)

        def on_llm_error(self, error: BaseException, **kw: Any) -> None:
            self._end("on_llm_error", _error(error), kw)

        def on_tool_start(self, serialized: Any, input_str: Any, **kw: Any) -> None:
            data = {
                "serialized": serialized,
                "input_str": input_str,
                "inputs": kw.get("inputs"),
                "tool_call_id": kw.get("tool_call_id"),
            }
            self._start("on_tool_start", data, kw)

        def on_tool_end(self, output: Any, **kw: Any) -> None:
            self._end("on_tool_end", {"output": output, "name": kw.get("name")}, kw)

        def on_tool_error(self, error: BaseException, **kw: Any) -> None:
            data = {**_error(error), "tool_call_id": kw.get("tool_call_id")}
            self._end("on_tool_error", data, kw)

        def on_chain_start(self, serialized: Any, inputs: Any, **kw: Any) -> None:
            self._start("on_chain_start", {"serialized": serialized}, kw)

        def on_chain_end(self, outputs: Any, **kw: Any) -> None:
            # the outputs: a ToolNode's ToolMessage for a tool that failed (its error text)
            self._end("on_chain_end", {"outputs": outputs}, kw)

        def on_chain_error(self, error: BaseException, **kw: Any) -> None:
            self._end("on_chain_error", _error(error), kw)

    _HANDLER.append(NbagentCallbackHandler)
    return NbagentCallbackHandler
