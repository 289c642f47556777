"""Scripted ACP agents (written with the ``agent-client-protocol`` SDK) that the ACP client's
tests start as real processes over stdio."""
