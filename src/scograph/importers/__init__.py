"""Importers that turn public lists into named graphs of their own (``scograph import …``)."""
