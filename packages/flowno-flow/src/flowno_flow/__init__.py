"""flowno_flow."""
