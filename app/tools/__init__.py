"""Tool calling with no widgets (DESIGN.md §4.2): assembling calls from the stream, approving,
running them (built-in tools and MCP servers), and the loop that sends results back."""
