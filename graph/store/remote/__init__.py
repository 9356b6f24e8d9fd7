"""A fact store on any SPARQL 1.1 server, over the Query, Update and Graph Store protocols.

:mod:`.client` holds :class:`RemoteStore`; :mod:`.wire` the protocol on the wire (accepted types,
streamed answers); :mod:`.dialects` what differs between servers (Virtuoso); :mod:`.uploads` how a
write stays all or nothing.
"""

from conflictkg.graph.store.remote.client import RemoteStore
from conflictkg.graph.store.remote.dialects import DEFAULT_GRAPH_STAND_IN, STAGING_PREFIX, VIRTUOSO_OWN_GRAPHS
from conflictkg.graph.store.remote.wire import safe_url

__all__ = ["DEFAULT_GRAPH_STAND_IN", "RemoteStore", "STAGING_PREFIX", "VIRTUOSO_OWN_GRAPHS", "safe_url"]
