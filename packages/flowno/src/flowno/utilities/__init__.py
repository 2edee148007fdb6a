"""``flowno.utilities``: aliases of the original's helper modules."""
