"""flowno_eventloop."""
