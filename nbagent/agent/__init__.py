"""nbagent's own agent: the loop, its run, its requests, tools and MCP servers."""
