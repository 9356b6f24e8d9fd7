"""The HTTP API and the CLI: thin layers that parse, call the core, and serialize."""

__all__: list[str] = []
