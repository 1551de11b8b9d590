"""Load benchmarks: scograph's SPARQL endpoint against Oxigraph's server and a plain handler."""
