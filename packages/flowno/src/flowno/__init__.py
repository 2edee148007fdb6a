"""flowno."""
