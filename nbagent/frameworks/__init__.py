"""What is built on the runtime for a framework's run: Re-run of its tools, its approvals
answered from the notebook, its agent as ``nbagent.evaluate()``'s task; and
``nbagent.Agent``'s forks.

One home per framework: a package (``openai_agents/``, ``pydantic_ai/``: ``rerun.py``,
``resume.py``, ``task.py``, ...) or a module (``langchain.py``, ``llama_index.py``,
``smolagents.py``, ``ag_ui.py``), each on ``kit/`` (what they share). ``rerun.py``
(``REACHES``), ``resume.py`` (``resumable``) and ``nbagent.evaluation.tasks`` (``TASK_RUNS``)
list them; ``fork.py`` is ``nbagent.Agent``'s alone.
``docs/develop/frameworks.md`` lists every place of a framework, in every layer.
"""
