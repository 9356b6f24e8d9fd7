"""The fact store on a SPARQL 1.1 server: :class:`RemoteStore`.

Over 500 lines on purpose: one class speaking one protocol (the FactStore contract over SPARQL 1.1);
its dialect and uploads already live in their own modules, and splitting the rest would scatter it.
"""

from __future__ import annotations

import itertools
import re
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
from rdflib import Dataset
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from rdflib.term import Node

from conflictkg.graph.errors import (
    ForbiddenOperation,
    InputError,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
)
from conflictkg.graph.store.base import (
    REMOTE_SCHEMES,
    FactStore,
    QueryResult,
    graphs_of,
)
from conflictkg.graph.store.datasets import DEFAULT_GRAPHS_QUERY, has_dataset_clause
from conflictkg.graph.store.remote.dialects import ServerDialect
from conflictkg.graph.store.remote.uploads import Uploads
from conflictkg.graph.store.remote.wire import (
    _GRAPH_TYPES,
    _QUERY_FORM,
    _RESULT_TYPES,
    _VIRTUOSO_NO_DEFAULT_GRAPH,
    _accept_for,
    _base,
    _iri,
    _prologue,
    _ChunkStream,
    _ResponseStream,
    _values_clause,
    safe_url,
)
from conflictkg.ontology.vocab import PREFIXES

__all__ = ["DATASET_TTL_S", "RemoteStore"]

#: How long (seconds) a remote store's default-graph list is reused before it is asked again.
#: 0: asked again before every query. The dataset names every named graph (named-graph-uri), so a
#: cached list hid graphs another client had just added even from ``GRAPH ?g`` (a reader missed a whole import).
DATASET_TTL_S = 0.0

#: How often a query is sent again when the server's graphs changed while it was sent (see ``_query_in_step``).
DATASET_ATTEMPTS = 10

#: Rows per page of a dump from Virtuoso: under its 10,000-row cap, so a full page is never a cut one.
VIRTUOSO_PAGE_ROWS = 9_999


class RemoteStore(ServerDialect, Uploads, FactStore):
    """The conflictkg fact store on a SPARQL 1.1 server reached over HTTP.

    Same public methods and result types as the embedded
    :class:`~conflictkg.graph.store.embedded.Store`: query results are parsed back
    into pyoxigraph objects (``QuerySolutions`` stream from the response as
    they are iterated), so callers never ask which kind of store they hold.

    Writes are all or nothing on the server: a load that fits in one request
    is one SPARQL update (or, on Oxigraph's layout, one N-Quads POST, which
    Oxigraph commits in one transaction); a larger load is uploaded in chunks
    into fresh staging graphs and then moved into place by one update, so
    readers see the data before or after the load, never half of it.

    Virtuoso differs (see "What differs on Virtuoso" in the README): it
    commits each operation of an update request on its own, so a failure
    part way through a multi-operation update is not undone and readers may
    see a replace half done; a replace therefore uploads everything into
    staging graphs before it drops anything, so a refused upload leaves the
    old content. Its default graph is the union of all graphs and cannot be
    written, so the store's default graph lives in the named graph
    :data:`DEFAULT_GRAPH_STAND_IN` there (a query's default graph on
    Virtuoso is still that union). It ends an answer at its row cap:
    a SELECT or ASK cut there raises :class:`ResultTooLarge`.

    Parameters
    ----------
    query_url : str
        The SPARQL 1.1 Query endpoint.
    update_url : str, optional
        The SPARQL 1.1 Update endpoint; without one the store is read-only.
    store_url : str, optional
        The Graph Store HTTP Protocol endpoint, used for uploads.
    user, password : str, optional
        HTTP basic credentials.
    token : str, optional
        A bearer token (instead of basic credentials).
    timeout_s : float
        Time limit of one query or update request.
    load_timeout_s : float
        Time limit of one upload request.
    chunk_quads : int
        Most quads in one upload request.
    dataset_post : bool
        Whether ``store_url`` takes a whole dataset as N-Quads in one POST
        (Oxigraph, Fuseki); otherwise uploads go graph by graph.
    progress : bool, optional
        Show a progress bar during uploads (default: when stderr is a terminal).
    keep_graphs : sequence of str, optional
        IRI prefixes of graphs the server keeps for itself: never dropped by
        :meth:`replace_all`, and left out of :meth:`named_graphs`,
        :meth:`quads` and :meth:`count` (default: Virtuoso's own graphs on
        Virtuoso, none elsewhere).
    default_graph_iri : str, optional
        The named graph that holds the store's default graph, for servers
        whose default graph cannot be written: quads in the default graph are
        written there and read back as default-graph quads, and it is not
        listed by :meth:`named_graphs` (default:
        :data:`DEFAULT_GRAPH_STAND_IN` on Virtuoso, none elsewhere).
    analyst_dataset_on_server : bool
        The server is conflictkg's own ``/sparql``, which gives a query
        without a dataset the analyst's default graph itself: send no
        dataset then, and ``raw-dataset=true`` for a raw query (naming
        ``g:inferred`` before the server has one would be refused).

    Examples
    --------
    >>> store = RemoteStore.from_spec("sparql+http://127.0.0.1:7878")  # doctest: +SKIP
    >>> store.count()  # doctest: +SKIP
    0
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        store_url: str | None = None,
        *,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout_s: float = 30.0,
        load_timeout_s: float = 3600.0,
        chunk_quads: int = 1_000,
        dataset_post: bool = False,
        progress: bool | None = None,
        keep_graphs: Sequence[str] | None = None,
        default_graph_iri: str | None = None,
        analyst_dataset_on_server: bool = False,
    ) -> None:
        self.path = None
        self.keep_graphs = keep_graphs
        self.default_graph_iri = default_graph_iri
        self.analyst_dataset_on_server = analyst_dataset_on_server
        self._server: str | None = None
        self.query_url, self.update_url, self.store_url = query_url, update_url, store_url
        self.url = safe_url(query_url)
        self.timeout_s = timeout_s
        self.load_timeout_s = load_timeout_s
        self.chunk_quads = max(1, chunk_quads)
        self.dataset_post = dataset_post and store_url is not None
        self.progress = sys.stderr.isatty() if progress is None else progress
        self._secrets = [s for s in (password, token) if s]
        self._auth = (user, password or "") if user else None
        headers = {"User-Agent": "conflictkg"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._headers = headers
        self._client = httpx.Client(
            auth=httpx.BasicAuth(*self._auth) if self._auth else None,
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=min(10.0, timeout_s)),
        )
        self._dataset: Dataset | None = None
        self._analyst: tuple[float, list[str], list[str]] | None = None

    @classmethod
    def from_spec(
        cls,
        spec: str,
        *,
        query_url: str | None = None,
        update_url: str | None = None,
        store_url: str | None = None,
        timeout_s: float | None = None,
        **options: object,
    ) -> RemoteStore:
        """A store from ``sparql+http://HOST:PORT[/prefix]`` (Oxigraph's layout) and overrides.

        ``sparql+http://HOST:PORT`` means ``http://HOST:PORT/query``,
        ``/update`` and ``/store``; ``query_url``, ``update_url`` and
        ``store_url`` replace each one for servers laid out otherwise.
        """
        base = None
        if spec.startswith(REMOTE_SCHEMES):
            base = spec[len("sparql+") :].rstrip("/")
            if not urlsplit(base).hostname:
                raise InputError(f"store {safe_url(spec)!r}: no host in the URL", parameter="store")
        elif not query_url:
            raise InputError("a remote store needs a query URL", parameter="store_query_url")
        oxigraph_layout = base is not None and store_url is None
        query = query_url or f"{base}/query"
        update = update_url or (f"{base}/update" if base else None)
        gsp = store_url or (f"{base}/store" if base else None)
        kwargs: dict[str, object] = dict(options)
        if timeout_s is not None:
            kwargs["timeout_s"] = timeout_s
        kwargs.setdefault("dataset_post", oxigraph_layout)
        return cls(query, update, gsp, **kwargs)  # type: ignore[arg-type]

    # -- what the store is -------------------------------------------------

    @property
    def kind(self) -> str:
        """``"remote"``."""
        return "remote"

    @property
    def dataset(self) -> Dataset:
        """An rdflib ``Dataset`` over rdflib's ``SPARQLUpdateStore`` on the same server."""
        if self._dataset is None:
            kwargs: dict[str, object] = {"auth": self._auth} if self._auth else {}
            if "Authorization" in self._headers:
                kwargs["headers"] = {"Authorization": self._headers["Authorization"]}
            backend = _ServerBackend(
                query_endpoint=self.query_url,
                update_endpoint=self.update_url,
                returnFormat="json",
                # A form POST: Virtuoso 7.2 never answers a query POSTed as application/sparql-query.
                method="POST_FORM",
                **kwargs,
            )
            ds = Dataset(store=backend)
            for prefix, iri in PREFIXES.items():
                ds.bind(prefix, iri)
            self._dataset = ds
        return self._dataset

    def __repr__(self) -> str:
        return f"RemoteStore({self.url!r})"

    # -- HTTP --------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _send(
        self, method: str, url: str, *, what: str, stream: bool = False, timeout: float | None = None, **kwargs: object
    ) -> httpx.Response:
        where = safe_url(url)
        limit = timeout or self.timeout_s
        try:
            request = self._client.build_request(
                method, url, timeout=httpx.Timeout(limit, connect=min(10.0, limit)), **kwargs  # type: ignore[arg-type]
            )
            response = self._client.send(request, stream=stream)
        except httpx.TimeoutException as err:
            raise QueryTimeout(f"the SPARQL server at {where} gave no answer within {limit:g} s", url=where) from err
        except httpx.HTTPError as err:
            raise StoreError(
                f"cannot reach the SPARQL server at {where}: {self._scrub(str(err)) or type(err).__name__}", url=where
            ) from err
        if response.status_code < 400:
            return response
        try:
            body = self._scrub(response.read().decode("utf-8", errors="replace").strip())[:1000]
        finally:
            response.close()
        status = response.status_code
        if status == 400 and what in ("query", "update"):
            if _VIRTUOSO_NO_DEFAULT_GRAPH in body:
                body = (
                    "Virtuoso cannot write to its default graph (there it is the union of all graphs): "
                    f"put the triples in a named graph (GRAPH <…> {{ … }}). Virtuoso said: {body}"
                )
            raise QuerySyntaxError(f"{body} (from {where})", parameter=what, url=where)
        if "timeout" in body.lower() or "timed out" in body.lower() or status in (408, 504):
            raise QueryTimeout(f"the SPARQL server at {where} stopped the {what}: {body}", url=where)
        if status in (401, 403):
            raise StoreError(
                f"the SPARQL server at {where} refused the {what} (HTTP {status}); check the store credentials",
                url=where,
            )
        raise StoreError(f"the SPARQL server at {where} answered the {what} with HTTP {status}: {body}", url=where)

    # -- reading -----------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Node] | None = None,
        default_graph: Sequence[str | Node] | None = None,
        named_graphs: Sequence[str | Node] | None = None,
        union_default_graph: bool = False,
        prefixes: bool = True,
        raw: bool = False,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query on the server and return a pyoxigraph result.

        Same parameters as :meth:`conflictkg.graph.store.embedded.Store.query`.
        ``substitutions`` become a trailing ``VALUES`` block of RDF terms;
        ``union_default_graph`` is Oxigraph's protocol extension. The
        analyst's default graph is sent as the protocol's dataset:
        ``default-graph-uri`` for each of :meth:`default_graphs` and
        ``named-graph-uri`` for every named graph (a dataset that names only
        default graphs would have no named graphs).

        Raises
        ------
        QuerySyntaxError
            The server refused the query as malformed (HTTP 400).
        QueryTimeout
            No answer within ``timeout_s``.
        ResultTooLarge
            The server cut the answer at its row cap (Virtuoso's
            ``X-SPARQL-MaxRows``); a cut answer is never returned as if whole.
        StoreError
            The server could not be reached or failed; the message names its URL.
        """
        text = _base(base_iri) + (_prologue() if prefixes else "") + sparql
        values = _values_clause(substitutions) if substitutions else ""
        text += values
        form: dict[str, object] = {"query": text}
        if default_graph is not None:
            form["default-graph-uri"] = [str(g) for g in default_graph]
        elif union_default_graph:
            form["union-default-graph"] = ""
        if named_graphs is not None:
            form["named-graph-uri"] = [str(g) for g in named_graphs]
        elif self.analyst_dataset_on_server:
            if raw and default_graph is None and not union_default_graph:
                form["raw-dataset"] = "true"
        elif default_graph is None and not union_default_graph and not raw and not has_dataset_clause(sparql):
            return self._query_in_step(text, values, form)
        response = self._send(
            "POST", self.query_url, what="query", stream=True, data=form, headers={"Accept": _accept_for(text)}
        )
        return self._answer(response, text, values, form)

    def _query_in_step(self, text: str, values: str, form: dict[str, object]) -> QueryResult:
        # The analyst's dataset is read by one request and the query runs in the
        # next: an import published between the two would be half seen (the
        # superseding delete without the new graph). The server takes the
        # query's snapshot before it answers, so the graphs read again once the
        # answer has begun, and found unchanged, were the graphs of that snapshot.
        for _ in range(DATASET_ATTEMPTS):
            dataset = self._analyst_dataset()
            form["default-graph-uri"], form["named-graph-uri"] = dataset
            response = self._send(
                "POST", self.query_url, what="query", stream=True, data=form, headers={"Accept": _accept_for(text)}
            )
            self._analyst = None
            if self._analyst_dataset() == dataset:
                return self._answer(response, text, values, form)
            response.close()
        raise StoreError(
            f"the graphs on the SPARQL server at {self.url} changed during each of {DATASET_ATTEMPTS} tries "
            "of the query; try again when the writes there settle",
            url=self.url,
        )

    def _answer(self, response: httpx.Response, text: str, values: str, form: dict[str, object]) -> QueryResult:
        cap = response.headers.get("x-sparql-maxrows")
        if cap is not None:
            # Virtuoso sends this header when an answer reached its ResultSetMaxRows,
            # then ends the answer there as if it were complete.
            return self._pages_of(response, text, values, form, cap)
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype in _RESULT_TYPES:
            try:
                stream = _ResponseStream(response, self.url, self.timeout_s)
                return ox.parse_query_results(stream, _RESULT_TYPES[ctype])
            except SyntaxError as err:
                response.close()
                raise StoreError(f"the SPARQL server at {self.url} sent unreadable results: {err}") from err
        try:
            body = response.read()
        finally:
            response.close()
        if ctype in _GRAPH_TYPES:
            return self._as_query_triples(body, _GRAPH_TYPES[ctype])
        raise StoreError(f"the SPARQL server at {self.url} answered a query with {ctype or 'no content type'!r}")

    def _pages_of(
        self, cut: httpx.Response, text: str, values: str, form: dict[str, object], cap: str
    ) -> QueryResult:
        # A SELECT cut at the server's cap is asked again in ordered pages under
        # the cap (ordered in a subquery: Virtuoso refuses an ORDER BY whose
        # OFFSET + LIMIT passes its cap, SR353), and the pages are read back as
        # one result. Other forms, and queries that cannot be a subquery (a
        # FROM clause; a substitution of a variable the query does not project,
        # which a VALUES outside it could not bind), still refuse: a cut answer
        # is never returned as whole.
        form_match = _QUERY_FORM.match(text)
        pageable = (
            form_match is not None
            and form_match.group(1).upper() == "SELECT"
            and not has_dataset_clause(text)
            and cap.isdigit()
            and int(cap) > 1
        )
        variables: list[ox.Variable] = []
        if pageable:
            ctype = cut.headers.get("content-type", "").split(";")[0].strip().lower()
            try:
                first = ox.parse_query_results(_ResponseStream(cut, self.url, self.timeout_s), _RESULT_TYPES[ctype])
                variables = list(first.variables)  # type: ignore[union-attr]
            except (KeyError, SyntaxError, AttributeError):
                pageable = False
        cut.close()
        substituted = set(re.findall(r"\?(\w+)", values[: values.find("{")]))
        if not pageable or not variables or not substituted <= {v.value for v in variables}:
            raise self._cut(cap)
        assert form_match is not None
        prologue, body = text[: form_match.start(1)], text[form_match.start(1) : len(text) - len(values)]
        order = " ".join(str(v) for v in variables)
        size = min(int(cap) - 1, VIRTUOSO_PAGE_ROWS)

        def page(offset: int) -> list[ox.QuerySolution]:
            paged = dict(form)
            paged["query"] = (
                f"{prologue}SELECT * WHERE {{ {{ SELECT * WHERE {{ {{ {body}\n}} {values} }} ORDER BY {order} }} }} "
                f"OFFSET {offset} LIMIT {size}"
            )
            response = self._send(
                "POST", self.query_url, what="query", stream=True, data=paged,
                headers={"Accept": "application/sparql-results+json"},
            )
            if response.headers.get("x-sparql-maxrows") is not None:
                response.close()  # a page was cut too: the cap is not what the header said
                raise self._cut(cap)
            rows = ox.parse_query_results(_ResponseStream(response, self.url, self.timeout_s), ox.QueryResultsFormat.JSON)
            return list(rows)  # type: ignore[arg-type]

        def tsv() -> Iterator[bytes]:
            yield ("\t".join(str(v) for v in variables) + "\n").encode()
            for offset in itertools.count(0, size):
                rows = page(offset)
                for row in rows:
                    yield (
                        "\t".join("" if row[v] is None else str(row[v]).replace("\t", "\\t") for v in variables)
                        + "\n"
                    ).encode()
                if len(rows) < size:
                    return

        return ox.parse_query_results(_ChunkStream(tsv()), ox.QueryResultsFormat.TSV)

    def _cut(self, cap: str) -> ResultTooLarge:
        return ResultTooLarge(
            f"the SPARQL server at {self.url} cut its answer at its cap of {cap} rows, so it may be "
            "incomplete; ask for fewer rows (LIMIT, or a narrower query) or raise the server's cap "
            "(Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)",
            url=self.url,
            rows=cap,
        )

    def _analyst_dataset(self) -> tuple[list[str], list[str]]:
        # Other clients may write to the server too: what they add enters the
        # default graph within DATASET_TTL_S; this client's own writes at once.
        now = time.monotonic()
        if self._analyst is None or now - self._analyst[0] > DATASET_TTL_S:
            rows = self.query(DEFAULT_GRAPHS_QUERY, prefixes=False, raw=True)
            default = [row["g"].value for row in rows]  # type: ignore[union-attr, index]
            self._analyst = (now, default, self.named_graphs())
        return self._analyst[1], self._analyst[2]

    def default_graphs(self) -> tuple[str, ...]:
        """The named graphs whose union is a query's default graph (reviewed facts, inferences)."""
        return tuple(self._analyst_dataset()[0])

    def refresh(self) -> None:
        """Recompute the default graph on the next query (after another client wrote)."""
        self._analyst = None

    def _as_query_triples(self, body: bytes, rdf_format: ox.RdfFormat) -> ox.QueryTriples:
        # pyoxigraph cannot build a QueryTriples by hand; a CONSTRUCT over a
        # scratch in-memory store holding the answer yields the same type.
        scratch = ox.Store()
        try:
            scratch.extend(
                ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                for t in ox.parse(body, format=rdf_format)
            )
        except SyntaxError as err:
            raise StoreError(f"the SPARQL server at {self.url} sent an unreadable graph: {err}") from err
        return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")  # type: ignore[return-value]

    def _scalar(self, sparql: str, **kwargs: object) -> int:
        result = self.query(sparql, prefixes=False, raw=True, **kwargs)  # type: ignore[arg-type]
        rows = list(result)  # type: ignore[arg-type]
        return int(rows[0]["n"].value) if rows and rows[0]["n"] is not None else 0

    def count(self, graph: str | Node | None = None) -> int:
        """The number of quads on the server, or of triples in one named graph."""
        if graph is not None:
            # The IRI is written as an RDF term by pyoxigraph (validated, escaped);
            # a trailing VALUES would join after the COUNT, too late.
            return self._scalar(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}")
        return self._scalar(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ {self._every_quad()} }}"
        )

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs on the server, sorted."""
        keep = self._graph_filter()
        result = self.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ }} {keep} }}", prefixes=False, raw=True)
        found = [row["g"] for row in result]  # type: ignore[union-attr]
        if not found:
            # Virtuoso binds nothing for an empty GRAPH pattern; ask for the graphs' triples instead.
            result = self.query(
                f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {keep} }}", prefixes=False, raw=True
            )
            found = [row["g"] for row in result]  # type: ignore[union-attr]
        stand_in = self._stand_in()
        return sorted(g.value for g in found if isinstance(g, ox.NamedNode) and g != stand_in)

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad on the server, streamed from one SELECT (on Virtuoso, in pages under its row cap).

        Virtuoso ends every answer at its ``ResultSetMaxRows`` (10,000 in
        Debian's ``virtuoso.ini``), so there the quads come in pages of
        :data:`VIRTUOSO_PAGE_ROWS`, ordered, with ``OFFSET``; the ordering sits
        in a subquery because Virtuoso refuses an ``ORDER BY`` whose
        ``OFFSET + LIMIT`` passes 10,000 (SR353). Virtuoso commits writes
        operation by operation, so a dump taken while another client writes
        may mix states.
        """
        default, stand_in = ox.DefaultGraph(), self._stand_in()
        pattern = f"SELECT ?s ?p ?o ?g WHERE {{ {self._every_quad()} }}"
        if self._is_virtuoso():
            pages = (
                f"SELECT ?s ?p ?o ?g WHERE {{ {{ {pattern} ORDER BY ?g ?s ?p ?o }} }} "
                f"OFFSET {offset} LIMIT {VIRTUOSO_PAGE_ROWS}"
                for offset in itertools.count(0, VIRTUOSO_PAGE_ROWS)
            )
        else:
            pages = iter([pattern])
        for query in pages:
            rows = 0
            for row in self.query(query, prefixes=False, raw=True):  # type: ignore[union-attr]
                rows += 1
                g = row["g"]
                yield ox.Quad(row["s"], row["p"], row["o"], default if g is None or g == stand_in else g)
            if rows < VIRTUOSO_PAGE_ROWS:
                return

    # -- writing -----------------------------------------------------------

    def update(self, sparql_update: str, *, prefixes: bool = True, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 Update on the server, as one request (``base_iri`` goes in as ``BASE``).

        Atomic on servers that run a request in one transaction (Oxigraph);
        Virtuoso commits it operation by operation.

        Raises
        ------
        QuerySyntaxError
            The server refused the update as malformed; nothing is changed.
        ForbiddenOperation
            No update URL is configured.
        """
        if not self.update_url:
            raise ForbiddenOperation(f"the store at {self.url} is read-only: no update URL is configured")
        text = _base(base_iri) + (_prologue() if prefixes else "") + sparql_update
        self._analyst = None
        self._send("POST", self.update_url, what="update", timeout=self.load_timeout_s, data={"update": text}).close()
        self.changed(update=sparql_update)

    def update_stream(self, parts: Iterable[bytes], *, prefixes: bool = True) -> None:
        """Run one SPARQL 1.1 Update whose text comes in parts (a large ``INSERT DATA``), as one request.

        The text is streamed to the server, never held whole in memory; the
        server runs it as one update (one transaction on Oxigraph). If the
        client dies mid-request the server gets a truncated request and
        changes nothing.

        Raises
        ------
        QuerySyntaxError
            The server refused the update as malformed; nothing is changed.
        ForbiddenOperation
            No update URL is configured.
        """
        if not self.update_url:
            raise ForbiddenOperation(f"the store at {self.url} is read-only: no update URL is configured")

        self._analyst = None

        def body() -> Iterator[bytes]:
            if prefixes:
                yield _prologue().encode("utf-8")
            yield from parts

        self._send(
            "POST",
            self.update_url,
            what="update",
            timeout=self.load_timeout_s,
            content=body(),
            headers={"Content-Type": "application/sparql-update"},
        ).close()
        self.changed(None)  # the text was streamed, not kept: what it touched is unknown

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads, all or nothing (see the class notes on how)."""
        staged = list(quads)
        try:
            self._write(staged, replace=False)
        finally:
            self._analyst = None
        seen: set[str] = set()
        for _ in graphs_of(staged, seen):
            pass
        self.changed(seen)

    def replace_all(self, quads: Iterable[ox.Quad]) -> None:
        """Replace everything on the server by these quads; readers see old or new."""
        try:
            self._write(list(quads), replace=True)
        finally:
            self._analyst = None
        self.changed(None)

    def clear_graph(self, graph: str | Node) -> None:
        """Remove one named graph and its triples."""
        self.update(f"DROP SILENT GRAPH {_iri(graph)}", prefixes=False)

    def flush(self) -> None:
        """Nothing to write: the server has committed every answered request."""
        self.flushed()

    def close(self) -> None:
        """Close the HTTP connections."""
        self._dataset = None
        self._client.close()



class _ServerBackend(SPARQLUpdateStore):
    """rdflib's SPARQL store, with rdflib's own default-graph IRI meaning the server's default graph."""

    def _is_contextual(self, graph: object) -> bool:  # type: ignore[override]
        # A Dataset queries with its default graph's identifier as a plain IRI;
        # sent as default-graph-uri it would hide every named graph.
        if isinstance(graph, str) and str(graph) == str(DATASET_DEFAULT_GRAPH_ID):
            return False
        return super()._is_contextual(graph)  # type: ignore[arg-type]

    def add_graph(self, graph: object) -> None:  # type: ignore[override]
        # ``Dataset.graph(iri)`` announces graphs that may already exist.
        identifier = graph.identifier  # type: ignore[attr-defined]
        if str(identifier) != str(DATASET_DEFAULT_GRAPH_ID):
            self.update(f"CREATE SILENT GRAPH {self.node_to_sparql(identifier)}")
