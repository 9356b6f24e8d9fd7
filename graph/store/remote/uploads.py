"""How writes to a server stay all or nothing: one update, one POSTed dataset, or staged graphs published at once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping

import pyoxigraph as ox

from conflictkg.graph.store.base import (
    insert_data,
)
from conflictkg.graph.store.remote.dialects import STAGING_PREFIX

__all__ = ["Uploads"]


class Uploads:
    """The write paths of :class:`RemoteStore`, chosen by size and server."""

    def _write(self, quads: list[ox.Quad], *, replace: bool) -> None:
        if not quads and not replace:
            return
        stand_in = self._stand_in()
        if stand_in is not None:
            quads = [
                ox.Quad(q.subject, q.predicate, q.object, stand_in) if isinstance(q.graph_name, ox.DefaultGraph) else q
                for q in quads
            ]
        # Where an update request is not one transaction (Virtuoso), a replace
        # is staged: nothing is dropped before every quad is on the server.
        if len(quads) <= self.chunk_quads and not (replace and self._is_virtuoso()):
            # One update request is one transaction on the server.
            drops = "".join(f"{op} ;\n" for op in self._drops_for_replace()) if replace else ""
            self.update(drops + insert_data(quads), prefixes=False)
        elif self.dataset_post and not replace:
            # Oxigraph loads one POSTed document in one transaction.
            self._post_dataset(quads)
        else:
            self._write_staged(quads, replace=replace)


    def _progress(self, total: int, label: str):  # type: ignore[no-untyped-def]
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
            disable=not self.progress,
        )
        return progress, progress.add_task(label, total=total)

    def _post_dataset(self, quads: list[ox.Quad]) -> None:
        assert self.store_url is not None
        progress, task = self._progress(len(quads), f"uploading to {self.url}")

        def body() -> Iterator[bytes]:
            step = self.chunk_quads
            for start in range(0, len(quads), step):
                batch = quads[start : start + step]
                yield ox.serialize(batch, format=ox.RdfFormat.N_QUADS)  # type: ignore[misc]
                progress.advance(task, len(batch))

        with progress:
            self._send(
                "POST",
                self.store_url,
                what="upload",
                timeout=self.load_timeout_s,
                content=body(),
                headers={"Content-Type": "application/n-quads"},
            ).close()

    def _write_staged(self, quads: list[ox.Quad], *, replace: bool) -> None:
        # Upload into fresh staging graphs, then move them into place with one
        # update: the target graphs change in one server transaction.
        token = uuid.uuid4().hex
        groups: dict[str, list[ox.Quad]] = {}
        for q in quads:
            key = "DEFAULT" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
            groups.setdefault(key, []).append(q)
        staging = {key: ox.NamedNode(f"{STAGING_PREFIX}{token}:{i}") for i, key in enumerate(groups)}
        drop_staging = " ;\n".join(f"DROP SILENT GRAPH {g}" for g in staging.values())
        progress, task = self._progress(len(quads), f"uploading to {self.url}")
        try:
            with progress:
                if self.dataset_post:
                    # One document keeps blank nodes shared across graphs intact.
                    self._post_dataset_renamed(quads, staging, progress, task)
                elif len(quads) <= self.chunk_quads:
                    # So does one update (a replace that fits in one request, staged on Virtuoso).
                    self.update(insert_data(_staged(quads, staging)), prefixes=False)
                    progress.advance(task, len(quads))
                else:
                    for key, group in groups.items():
                        for start in range(0, len(group), self.chunk_quads):
                            chunk = group[start : start + self.chunk_quads]
                            self._upload_chunk(chunk, staging[key])
                            progress.advance(task, len(chunk))
            commit = []
            if replace:
                commit += self._drops_for_replace()
            commit += [f"ADD SILENT {g} TO {'DEFAULT' if key == 'DEFAULT' else key}" for key, g in staging.items()]
            commit += [drop_staging] if staging else []
            if commit:
                self.update(" ;\n".join(commit), prefixes=False)
        except BaseException:
            try:
                if staging:
                    self.update(drop_staging, prefixes=False)
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
            raise

    def _post_dataset_renamed(
        self, quads: list[ox.Quad], staging: dict[str, ox.NamedNode], progress: object, task: object
    ) -> None:
        assert self.store_url is not None

        def body() -> Iterator[bytes]:
            for start in range(0, len(quads), self.chunk_quads):
                batch = quads[start : start + self.chunk_quads]
                yield ox.serialize(_staged(batch, staging), format=ox.RdfFormat.N_QUADS)  # type: ignore[misc]
                progress.advance(task, len(batch))  # type: ignore[attr-defined]

        self._send(
            "POST",
            self.store_url,
            what="upload",
            timeout=self.load_timeout_s,
            content=body(),
            headers={"Content-Type": "application/n-quads"},
        ).close()

    def _upload_chunk(self, chunk: list[ox.Quad], graph: ox.NamedNode) -> None:
        # Blank nodes are scoped to one request: a blank node shared by quads in
        # two chunks becomes two nodes on this path (servers without dataset POST).
        if self.store_url:
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in chunk]
            self._send(
                "POST",
                self.store_url,
                what="upload",
                timeout=self.load_timeout_s,
                params={"graph": graph.value},
                content=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
                headers={"Content-Type": "application/n-triples"},
            ).close()
        else:
            self.update(insert_data(ox.Quad(q.subject, q.predicate, q.object, graph) for q in chunk), prefixes=False)



def _staged(quads: Iterable[ox.Quad], staging: Mapping[str, ox.NamedNode]) -> list[ox.Quad]:
    """The quads moved into their staging graphs (``"DEFAULT"`` stands for the default graph)."""
    return [
        ox.Quad(
            q.subject,
            q.predicate,
            q.object,
            staging["DEFAULT" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)],
        )
        for q in quads
    ]
