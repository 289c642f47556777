"""What is built on the runtime for a framework's run: Re-run of its tools, its approvals
answered from the notebook; and ``nbagent.Agent``'s forks.

One home per framework: a package (``openai_agents/``, ``pydantic_ai/``: ``rerun.py``,
``resume.py``, ...) or a module (``langchain.py``, ``llama_index.py``, ``smolagents.py``,
``ag_ui.py``), each on ``kit/`` (what they share). ``rerun.py`` (``REACHES``) and
``resume.py`` (``resumable``) list them; ``fork.py`` is ``nbagent.Agent``'s alone.
``docs/develop/frameworks.md`` lists every place of a framework, in every layer.
"""
