"""Loaders that turn sources (RDF files, ACLED and UCDP exports) into facts in the store."""

__all__: list[str] = []
