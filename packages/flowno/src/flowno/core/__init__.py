"""``flowno.core``: the original's module layout, kept as aliases of the libraries."""
