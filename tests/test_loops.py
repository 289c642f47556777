"""nbagent.runtime.loops.run_fresh: every task finishes, even after nest_asyncio patched asyncio."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import asyncio, threading
    import nest_asyncio
    from nbagent.runtime.loops import run_fresh

    nest_asyncio.apply(asyncio.new_event_loop())  # what Run.wait() in a cell does

    cleaned = []

    async def tool():
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cleaned.append("tool")
            raise

    async def main():
        asyncio.ensure_future(tool())
        await asyncio.sleep(0.01)
        return "done"

    def in_thread():
        print(run_fresh(main()), cleaned)

    t = threading.Thread(target=in_thread)
    t.start()
    t.join()
    """
)


def test_run_fresh_finishes_pending_tasks_even_under_nest_asyncio() -> None:
    # A subprocess: nest_asyncio patches asyncio for good, in the whole process.
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "done ['tool']"


ABANDONED = textwrap.dedent(
    """
    import asyncio
    import nest_asyncio
    from nbagent.runtime.loops import run_fresh

    nest_asyncio.apply(asyncio.new_event_loop())  # patches every loop's run_until_complete

    closed = []

    async def chunks():
        try:
            yield 1
            yield 2
        finally:
            await asyncio.sleep(0)  # cleanup that needs the loop (httpcore's stream close)
            closed.append(asyncio.current_task() is not None)

    async def main():
        async for _ in chunks():  # an inner generator nobody closes: the loop must
            break

    run_fresh(main())
    print(closed)
    """
)


def test_run_fresh_closes_abandoned_async_generators_on_its_loop_under_nest_asyncio() -> None:
    out = subprocess.run(
        [sys.executable, "-c", ABANDONED], capture_output=True, text=True, timeout=60, check=True
    )
    assert (out.stdout.strip(), out.stderr) == ("[True]", "")
