"""Opening a store from a spec: the one module that knows every kind of store."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from conflictkg.graph.errors import InputError
from conflictkg.graph.store.base import MEMORY, REMOTE_SCHEMES, FactStore
from conflictkg.graph.store.embedded import Store

__all__ = ["open_store", "store_kind"]


def _conflictkg_server(text: str) -> bool:
    return text.startswith(("http://", "https://")) and urlsplit(text).path.rstrip("/").endswith("/sparql")


def store_kind(spec: str | os.PathLike[str] | None, *, query_url: str | None = None) -> str:
    """The kind of store a spec names, without opening it: ``"memory"``, ``"disk"`` or ``"remote"``.

    What :func:`open_store` would open (a SPARQL server of any layout is
    remote); a spec it would refuse is refused here the same way.

    Examples
    --------
    >>> store_kind(":memory:"), store_kind("var/store"), store_kind("sparql+http://127.0.0.1:7878")
    ('memory', 'disk', 'remote')

    Raises
    ------
    InputError
        If the spec names a kind of store this build does not know.
    """
    text = str(spec) if spec is not None else MEMORY
    if text.startswith(REMOTE_SCHEMES) or (text == "sparql" and query_url) or _conflictkg_server(text):
        return "remote"
    if "://" in text or text == "sparql":
        raise _unknown(text)
    return "memory" if text == MEMORY else "disk"


def _unknown(text: str) -> InputError:
    from conflictkg.graph.store.remote import safe_url

    return InputError(
        f"store {safe_url(text)!r}: not a store this build knows; give a folder path, {MEMORY!r}, "
        "a conflictkg server's http://HOST:PORT/sparql, sparql+http://HOST:PORT (Oxigraph's layout), "
        "or 'sparql' with the query URL set",
        parameter="store",
    )


def open_store(
    spec: str | os.PathLike[str] | None,
    *,
    query_url: str | None = None,
    update_url: str | None = None,
    store_url: str | None = None,
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
    timeout_s: float | None = None,
) -> FactStore:
    """Open the store a spec names: a folder path, ``":memory:"``, or a SPARQL server.

    Parameters
    ----------
    spec : str or path-like or None
        A folder (the embedded on-disk store), ``":memory:"`` (or ``None``),
        ``http://HOST:PORT/sparql`` for a conflictkg server (queries and
        updates there, the Graph Store Protocol on ``/store`` beside it),
        ``sparql+http://HOST:PORT`` for a SPARQL 1.1 server laid out like
        Oxigraph's (``/query``, ``/update``, ``/store``), or ``"sparql"`` with
        ``query_url`` (and ``update_url``, ``store_url``) naming each endpoint.
    query_url, update_url, store_url : str, optional
        The Query, Update and Graph Store Protocol endpoints of a server laid
        out otherwise; each overrides the one derived from a ``sparql+http`` spec.
    user, password, token : str, optional
        HTTP basic credentials or a bearer token for the server.
    timeout_s : float, optional
        Time limit of one request to the server.

    Raises
    ------
    InputError
        If the spec names a kind of store this build does not know.
    StoreError
        If the folder cannot be opened (another process holds it, say).
    """
    text = str(spec) if spec is not None else MEMORY
    remote = {"query_url": query_url, "update_url": update_url, "store_url": store_url}
    if store_kind(text, query_url=query_url) == "remote":
        # Here, not at the top: the remote kinds import an HTTP client, which a command on a folder never needs.
        from conflictkg.graph.store.remote import RemoteStore
    if text.startswith(REMOTE_SCHEMES) or (text == "sparql" and query_url):
        return RemoteStore.from_spec(
            text, **remote, user=user, password=password, token=token, timeout_s=timeout_s
        )
    if _conflictkg_server(text):
        # A conflictkg server: queries and updates on /sparql, the Graph Store Protocol on /store beside it.
        endpoint = text.rstrip("/")
        return RemoteStore(
            query_url or endpoint,
            update_url or endpoint,
            store_url or endpoint.removesuffix("/sparql") + "/store",
            user=user, password=password, token=token, analyst_dataset_on_server=True,
            **({"timeout_s": timeout_s} if timeout_s is not None else {}),
        )
    kind = store_kind(text, query_url=query_url)  # refuses a spec of no kind this build knows
    return Store(None if kind == "memory" else text)
