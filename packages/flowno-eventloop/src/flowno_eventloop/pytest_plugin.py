"""pytest plugin for flowno_eventloop (filled in by the eventloop work)."""
