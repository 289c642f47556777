"""What every framework's pieces above the runtime build on: ``reruns.py`` (``Reruns``, the
Re-run of a run's tool calls, ``nbagent.Agent``'s runs included), ``reach.py`` (what a
framework's ``reach`` gives: its tools, or why nbagent cannot reach them), ``resuming.py``
(``ResumingSource``: a framework's run that pauses on its approval requests) and ``tasks.py``
(what a framework's agent as ``nbagent.evaluate()``'s task gives)."""
