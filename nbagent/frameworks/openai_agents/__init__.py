"""The OpenAI Agents SDK above the runtime: ``rerun.py`` (its ``FunctionTool``s called again
through the SDK's own call: Re-run, Copy as code), ``resume.py`` (its tool approvals answered
from the notebook, the run resumed in the same transcript) and ``task.py`` (an ``Agent`` as
``nbagent.evaluate()``'s task).

Its other homes: ``nbagent/adapters/openai_agents/`` (its stream, its trace spans and its
approval items as events) and ``nbagent/sources/hooks/openai_agents.py`` (``nbagent.watch()``'s
trace processor). ``docs/develop/frameworks.md`` lists every place a framework has.
"""
