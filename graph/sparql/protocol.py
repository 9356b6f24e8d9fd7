"""The SPARQL 1.1 Protocol and Graph Store Protocol operations over a store, bounded and guarded.

:class:`SparqlService` is the one core object the HTTP routes (and the CLI)
call: it negotiates the result format, refuses requests that would reach
another host (:mod:`conflictkg.graph.sparql.guard`), runs queries in a
:class:`~conflictkg.graph.sparql.workers.QueryPool` within the time, row and byte
limits, and is the single writer that tells the pool about committed writes.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Collection, Mapping, Sequence

import pyoxigraph as ox

from conflictkg.graph.errors import InputError, ParseError, UnknownEntity, UnsupportedFormat
from conflictkg.graph.sparql.dataset import EMPTY_GRAPH, check_iris, held, with_using
from conflictkg.graph.sparql.results import GRAPH, MEDIA_FORMATS, Negotiated, media_format, negotiate
from conflictkg.graph.sparql.saved import SavedQuery
from conflictkg.graph.store.snapshots import SnapshotPublisher
from conflictkg.graph.sparql.guard import check_query, check_update, needs_parse
from conflictkg.graph.sparql.admission import Admission, lane_eligible
from conflictkg.graph.sparql.lexer import check_shape
from conflictkg.graph.store.parsing import UploadLimits, parse_upload
from conflictkg.graph.store import Store
from conflictkg.graph.sparql.workers import Answer, Limits, QueryJob, QueryPool, ox_query, run_job

__all__ = ["SparqlService", "Answer"]

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class SparqlService:
    """SPARQL over one store: queries in bounded workers, updates and graph writes in this process.

    Parameters
    ----------
    store : Store
        The store; this object is its only writer while it runs.
    limits : Limits
        Time limit, row and byte caps of every query.
    workers : int
        Worker processes (queries that run at once).
    allow : sequence of str
        IRI prefixes SERVICE and LOAD may reach; empty: none.
    pool : InProcessPool, optional
        Run queries there instead (a reader process: ``store`` is then
        ``None`` and this service only reads).
    publish_to : path, optional
        Publish a snapshot there after every committed write, for reader
        processes (:class:`~conflictkg.graph.store.snapshots.SnapshotPublisher`;
        on-disk stores only).
    upload_limits : UploadLimits
        Time, memory, literal and entity-expansion bounds of parsing a graph
        sent to the Graph Store Protocol (parsed in a child process).
    admission : Admission, optional
        The per-client concurrency limit of queries (default: 4 per client,
        counted in this process).
    lane : int
        Workers kept for cheap queries when the others are busy
        (:mod:`conflictkg.graph.sparql.admission`).
    """

    def __init__(
        self,
        store: Store | None,
        *,
        limits: Limits = Limits(),
        workers: int = 2,
        allow: Sequence[str] = (),
        pool=None,
        publish_to: str | os.PathLike[str] | None = None,
        upload_limits: UploadLimits = UploadLimits(),
        admission: Admission | None = None,
        lane: int = 1,
    ) -> None:
        self.store = store
        self.limits = limits
        self.upload_limits = upload_limits
        self.admission = admission or Admission(4)
        self.allow = tuple(allow)
        self._write_lock = threading.Lock()
        self.pool = pool
        self.publisher: SnapshotPublisher | None = None
        if publish_to is not None:
            if store is None or store.kind != "disk":
                raise ValueError("snapshots for reader processes are published from an on-disk store only")
            # Readers keep a superseded snapshot open for at most one query.
            self.publisher = SnapshotPublisher(publish_to, self._write_checkpoint, keep_s=limits.timeout_s + 60)
        # A reader brings its pool; a remote store bounds its queries itself.
        if pool is None and store is not None and store.kind == "disk":
            # Checkpoints hard-link table files, so they live beside the store (same file system).
            self.pool = QueryPool(
                "checkpoint", self._write_checkpoint, size=workers, limits=limits, workdir=str(store.path.parent), lane=lane
            )
        elif pool is None and store is not None and store.kind == "memory":
            self.pool = QueryPool("nquads", self._write_snapshot, size=workers, limits=limits, lane=lane)

    def close(self) -> None:
        """Stop the workers (the store stays open: its owner closes it)."""
        if self.pool is not None:
            self.pool.close()
        if self.publisher is not None:
            self.publisher.close()

    def _write_checkpoint(self, path: str) -> None:
        # Fast path on purpose: a RocksDB checkpoint has no public Store method
        # (only the embedded on-disk kind reaches here).
        self.store.flush()
        self.store.ox.backup(path)

    def _write_snapshot(self, path: str) -> None:
        tmp = path + ".tmp"
        ox.serialize(self.store.quads(), tmp, format=ox.RdfFormat.N_QUADS)
        os.replace(tmp, path)

    def _graphs(self) -> Collection[str]:
        if self.store is None:
            return set(self.pool.named_graphs())
        return set(self.store.named_graphs())

    # -- queries -----------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        accept: str | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        raw: bool = False,
        client: str | None = None,
        base_iri: str | None = None,
    ) -> Answer:
        """Run a SPARQL query and return its serialized result.

        Parameters
        ----------
        sparql : str
            The query.
        accept : str, optional
            The client's ``Accept`` header; q-values honoured.
        default_graph, named_graphs : sequence of IRIs, optional
            The protocol's ``default-graph-uri`` and ``named-graph-uri``. An
            IRI that names no graph in the store is an empty graph: nothing is
            ever fetched (see :func:`~conflictkg.graph.sparql.dataset.held`).
        substitutions : mapping, optional
            Variable → pyoxigraph term, bound by Oxigraph (projected variables only).
        raw : bool
            The stored dataset as it is; by default a query that names no
            dataset reads the analyst's default graph (reviewed facts and
            inferences, :mod:`conflictkg.graph.store.datasets`).
        client : str, optional
            Who asks (an address): at most ``admission.per_client`` of its
            queries run at once. ``None``: not limited.
        base_iri : str, optional
            The base IRI of relative IRIs in the query (the endpoint's URL).

        Raises
        ------
        NotAcceptable
            No accepted format fits.
        InputError
            A dataset IRI is not an absolute IRI.
        OutboundRequestRefused
            SERVICE, or FROM of a graph that is not in the store.
        TooManyRequests
            The client already runs as many queries as it may.
        QuerySyntaxError, QueryTimeout, ResultTooLarge
        """
        ticket = self.admission.enter(client)
        try:
            answer = self._query(sparql, accept, default_graph, named_graphs, substitutions, raw, base_iri)
        except BaseException:
            self.admission.leave(ticket)
            raise
        return self._held(answer, ticket)

    def _held(self, answer: Answer, ticket: int | None) -> Answer:
        """The answer, counted against its client until its body has been read."""
        if answer.body is not None or ticket is None:
            self.admission.leave(ticket)
            return answer
        chunks = answer.chunks

        def counted():
            try:
                yield from chunks
            finally:
                self.admission.leave(ticket)

        answer.chunks = counted()
        return answer

    def _query(self, sparql, accept, default_graph, named_graphs, substitutions, raw=False, base_iri=None) -> Answer:
        negotiated = negotiate(accept)
        check_query(
            sparql, graphs=self._graphs, allow=self.allow, max_depth=self.limits.max_depth, max_operators=self.limits.max_operators
        )
        check_iris(default_graph, named_graphs)
        default_graph, named_graphs = held(default_graph, self._graphs), held(named_graphs, self._graphs)
        lane = lane_eligible(check_shape(sparql, max_depth=self.limits.max_depth, max_operators=self.limits.max_operators))
        return self._run(sparql, negotiated, default_graph, named_graphs, substitutions, raw, base_iri, lane=lane)

    async def aquery(
        self,
        sparql: str,
        *,
        accept: str | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        raw: bool = False,
        client: str | None = None,
        base_iri: str | None = None,
    ) -> Answer:
        """:meth:`query` for an event loop: same checks, same limits, no thread for the common case.

        The guard's full parse (only for queries that mention SERVICE, FROM …)
        and stores without workers run in a thread, never on the loop.
        """
        negotiated = negotiate(accept)
        # Microseconds, on the loop: a request too deep for the parsers never reaches one.
        shape = check_shape(sparql, max_depth=self.limits.max_depth, max_operators=self.limits.max_operators)
        ticket = self.admission.enter(client)
        try:
            if self.pool is None or needs_parse(shape) or default_graph or named_graphs:
                answer = await asyncio.to_thread(self._query, sparql, accept, default_graph, named_graphs, None, raw, base_iri)
            else:
                # A query that declares every prefix it uses needs no prefix table (measured: a tenth of a lookup's evaluation).
                prefixes = not shape.used.keys() <= shape.declared
                job = self._job(sparql, negotiated, raw=raw, base_iri=base_iri, prefixes=prefixes)
                answer = await self.pool.arun(job, lane=lane_eligible(shape))
        except BaseException:
            self.admission.leave(ticket)
            raise
        return self._held(answer, ticket)

    def _job(self, sparql, negotiated: Negotiated, default_graph=None, named_graphs=None, substitutions=None, raw=False,
             base_iri=None, prefixes=True) -> QueryJob:
        return QueryJob(
            sparql,
            None if negotiated.solutions is None else negotiated.solutions.media_type,
            None if negotiated.graph is None else negotiated.graph.media_type,
            tuple(default_graph) if default_graph else None,
            tuple(named_graphs) if named_graphs else None,
            tuple((substitutions or {}).items()),
            prefixes=prefixes,
            raw=raw,
            base_iri=base_iri,
        )

    def _run(
        self, sparql, negotiated: Negotiated, default_graph=None, named_graphs=None, substitutions=None, raw=False,
        base_iri=None, *, lane=False,
    ) -> Answer:
        job = self._job(sparql, negotiated, default_graph, named_graphs, substitutions, raw, base_iri)
        if self.pool is not None:
            return self.pool.run(job, lane=lane)
        # A store workers cannot open (a remote SPARQL server): its own server bounds the work.
        kind, media_type, body = run_job(self._evaluate_here, job, self.limits)
        return Answer(media_type, iter([body]), kind, body)

    def _evaluate_here(self, job: QueryJob) -> object:
        from conflictkg.graph.store import from_ox

        return self.store.query(
            job.sparql,
            base_iri=job.base_iri,
            default_graph=job.default_graph,
            named_graphs=job.named_graphs,
            substitutions={k: from_ox(v) for k, v in job.substitutions} or None,
            raw=job.raw,
        )

    def run_saved(
        self, saved: SavedQuery, values: Mapping[str, str], *, accept: str | None = None, raw: bool = False,
        client: str | None = None,
    ) -> Answer:
        """Run a saved query with its parameters bound as RDF terms (see :meth:`SavedQuery.bind`)."""
        return self.query(saved.bind(values), accept=accept, raw=raw, client=client)

    # -- writes ------------------------------------------------------------

    def _committed(self) -> None:
        self.store.flush()
        if self.pool is not None:
            self.pool.committed()
        if self.publisher is not None:
            self.publisher.publish()

    def write(self, fn, *args, **kwargs):
        """Run a core write (``fn(store, *args, **kwargs)``) under the write lock, then publish it to readers."""
        with self._write_lock:
            try:
                return fn(self.store, *args, **kwargs)
            finally:
                self._committed()

    def update(
        self,
        sparql_update: str,
        *,
        using: Sequence[str] | None = None,
        using_named: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> None:
        """Run a SPARQL Update (the caller has checked the token).

        Parameters
        ----------
        sparql_update : str
            The update.
        using, using_named : sequence of IRIs, optional
            The protocol's ``using-graph-uri`` and ``using-named-graph-uri``:
            ``USING`` / ``USING NAMED`` of every operation with a ``WHERE``
            clause (a graph not in the store is an empty graph).
        base_iri : str, optional
            The base IRI of relative IRIs in the update (the endpoint's URL).

        Raises
        ------
        InputError
            ``using``/``using_named`` with an update that has ``USING``,
            ``USING NAMED`` or ``WITH`` (the protocol forbids both), or a value
            that is not an absolute IRI.
        OutboundRequestRefused
            LOAD or SERVICE outside the allow-list (``file:`` always), USING an unknown graph.
        QuerySyntaxError
            If it nests too deeply or does not parse; nothing changes.
        UpdateFailed
            If an operation fails while running (its cause named); nothing changes.
        """
        check_update(
            sparql_update, graphs=self._graphs, allow=self.allow,
            max_depth=self.limits.max_depth, max_operators=self.limits.max_operators,
        )
        if using or using_named:
            check_iris(using, using_named, names=("using-graph-uri", "using-named-graph-uri"))
            # After the guard: these graphs are never fetched, and one the update creates may not exist yet.
            sparql_update = with_using(sparql_update, using or (), using_named or ())
        with self._write_lock:
            try:
                self.store.update(sparql_update, base_iri=base_iri)
            finally:
                self._committed()

    def read_graph(self, graph: str | None, *, accept: str | None = None) -> Answer:
        """Graph Store Protocol GET: one graph (``None``: the default graph) in a negotiated RDF format.

        Raises
        ------
        InputError
            If ``graph`` is not an absolute IRI.
        UnknownEntity
            If the named graph is not in the store (404).
        """
        negotiated = negotiate(accept, kinds=(GRAPH,))
        if graph is not None:
            self._check_graph_iri(graph)
            if graph not in self._graphs():
                raise UnknownEntity(f"no graph <{graph}> in the store", parameter="graph")
        # The stored default graph itself, not the analyst's union (raw).
        return self._run("CONSTRUCT WHERE { ?s ?p ?o }", Negotiated(None, negotiated.graph), [graph] if graph else None, raw=True)

    def _parse_body(self, body: bytes, content_type: str | None, graph: str | None, *, file: str = "request body") -> list[ox.Quad]:
        fmt = media_format(content_type or "")
        if fmt is None or fmt.kind != GRAPH:
            offered = ", ".join(dict.fromkeys(f.media_type for f in MEDIA_FORMATS if f.kind == GRAPH))
            where = "" if file == "request body" else f"{file}: "
            raise UnsupportedFormat(f"{where}cannot read a graph sent as {content_type!r}; send one of {offered}",
                                    parameter="Content-Type", file=file)
        target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        base = graph or "urn:conflictkg:default-graph"
        # In a child process bounded in time and memory: an entity bomb or a huge literal takes down only it.
        try:
            quads = parse_upload(body, fmt.ox_format.media_type, base_iri=base, limits=self.upload_limits)
        except ParseError as err:
            # A multipart POST names the file part that did not parse.
            if file != "request body":
                err.details.setdefault("file", file)
            raise
        return [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]

    def _check_graph_iri(self, graph: str | None) -> None:
        if graph is not None:
            try:
                ox.NamedNode(graph)
            except ValueError:
                raise InputError(f"graph={graph!r} is not a valid IRI", parameter="graph") from None

    def replace_graph(self, graph: str | None, body: bytes, content_type: str | None) -> bool:
        """Graph Store Protocol PUT: replace a graph's content. Returns whether the graph is new.

        The body is parsed completely before anything changes.
        """
        self._check_graph_iri(graph)
        quads = self._parse_body(body, content_type, graph)
        with self._write_lock:
            created = graph is not None and graph not in self._graphs()
            try:
                if graph is None:
                    self.store.update("CLEAR SILENT DEFAULT", prefixes=False)
                else:
                    self.store.clear_graph(graph)
                    if not quads:
                        # An empty body makes an empty graph (the service description says sd:EmptyGraphs).
                        self.store.update(f"CREATE SILENT GRAPH <{graph}>", prefixes=False)
                self.store.extend(quads)
            finally:
                self._committed()
        return created

    def add_to_graph(
        self, graph: str | None, body: bytes | Sequence[tuple[str, bytes, str | None]], content_type: str | None = None
    ) -> bool:
        """Graph Store Protocol POST: add triples to a graph. Returns whether the graph is new.

        Parameters
        ----------
        graph : str or None
            The graph (``None``: the default graph).
        body : bytes, or sequence of (file name, bytes, media type)
            One RDF document, or the files of a ``multipart/form-data`` POST:
            every file is parsed before anything is added, and all are added
            in one transaction (a bad file names itself and adds nothing).
        content_type : str, optional
            The media type of a single body.
        """
        self._check_graph_iri(graph)
        if isinstance(body, (bytes, bytearray)):
            quads = self._parse_body(bytes(body), content_type, graph)
        else:
            quads = [q for name, data, media in body for q in self._parse_body(data, media, graph, file=name)]
        with self._write_lock:
            created = graph is not None and graph not in self._graphs()
            try:
                self.store.extend(quads)
            finally:
                self._committed()
        return created

    def delete_graph(self, graph: str | None) -> None:
        """Graph Store Protocol DELETE.

        Raises
        ------
        UnknownEntity
            If the named graph is not in the store.
        """
        self._check_graph_iri(graph)
        with self._write_lock:
            if graph is None:
                self.store.update("CLEAR SILENT DEFAULT", prefixes=False)
            else:
                if graph not in self._graphs():
                    raise UnknownEntity(f"no graph <{graph}> in the store", parameter="graph")
                self.store.clear_graph(graph)
            self._committed()

    # -- the service description -------------------------------------------

    def description(self, endpoint: str, *, accept: str | None = None, update: bool = False) -> Answer:
        """The SPARQL 1.1 Service Description of the endpoint, in a negotiated RDF format.

        It names the result formats of :data:`MEDIA_FORMATS` and, on purpose,
        no federation feature (``sd:BasicFederatedQuery``): SERVICE is refused.
        """
        fmt = negotiate(accept, kinds=(GRAPH,)).for_kind(GRAPH)
        service = ox.BlankNode("service")
        sd = lambda local: ox.NamedNode(SD + local)  # noqa: E731
        triples = [
            ox.Triple(service, ox.NamedNode(RDF_TYPE), sd("Service")),
            ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
            ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
            ox.Triple(service, sd("feature"), sd("EmptyGraphs")),
        ]
        if update:
            triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
        for f in MEDIA_FORMATS:
            if f.w3c:
                triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(f.w3c)))
        body = ox.serialize(triples, format=fmt.ox_format, prefixes={"sd": SD}) if fmt.ox_format == ox.RdfFormat.TURTLE else ox.serialize(triples, format=fmt.ox_format)
        return Answer(fmt.content_type, iter([body]), GRAPH, body)

