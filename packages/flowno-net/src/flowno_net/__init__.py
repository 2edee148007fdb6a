"""flowno_net."""
