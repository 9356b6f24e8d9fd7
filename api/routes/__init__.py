"""One router per resource; wired together in :func:`conflictkg.api.app.create_app`."""

__all__: list[str] = []
