# Rules: a dependency-free (standard library only) renderer of Chrome trace-event JSON
# into a static, Perfetto-like SVG timeline, for the documentation. It reads what
# ChromeTraceInstrument writes (complete "X" slices, "B"/"E" pairs, "i"/"I" instants,
# "M" thread names) and ignores every other phase. Pure functions from parsed events
# to layout to SVG text; only main() touches files.
"""Render a Chrome trace-event JSON file as a Perfetto-like SVG timeline.

Usage::

    python docs/tools/render_trace.py docs/_static/flow-trace.json -o docs/_static/flow-trace.svg

One lane per track (node); each slice is a labelled rectangle (node name and the
generation it produced), nested slices go one row down (like Perfetto); slices of
category ``wait`` (``queued``, ``stalled``) are drawn light and hatched; instant
events (stream items) are small diamonds above the slices, errors are red; a time
axis in milliseconds runs along the top and a legend along the bottom. Every shape
carries a ``<title>`` so a browser shows its details on hover.

Example:
    >>> events = [
    ...     {"ph": "M", "name": "thread_name", "pid": 1, "tid": 1, "args": {"name": "A#0"}},
    ...     {"ph": "X", "name": "A#0", "cat": "node", "pid": 1, "tid": 1, "ts": 0,
    ...      "dur": 1000, "args": {"generation": "(0,)"}},
    ... ]
    >>> svg = render_svg(parse_trace({"traceEvents": events}))
    >>> svg.startswith("<svg") and "A#0" in svg
    True
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from xml.sax.saxutils import escape

__all__ = ["Instant", "Slice", "Trace", "Track", "main", "parse_trace", "render_svg"]

TrackKey = tuple[int, int]  # (pid, tid)


@dataclass(frozen=True)
class Track:
    """One lane of the timeline: a thread of the trace (a node of the flow)."""

    key: TrackKey
    name: str
    sort_index: int


@dataclass
class Slice:
    """A rectangle: an interval on a track; ``depth`` is its nesting row."""

    track: TrackKey
    name: str
    cat: str
    start: float  # microseconds, as in the trace
    dur: float
    args: Mapping[str, Any]
    depth: int = 0

    @property
    def end(self) -> float:
        """The end of the slice in microseconds."""
        return self.start + self.dur


@dataclass(frozen=True)
class Instant:
    """A point event on a track (a stream item, an error)."""

    track: TrackKey
    name: str
    cat: str
    ts: float
    args: Mapping[str, Any]


@dataclass
class Trace:
    """The events of a trace that the renderer draws, tracks in display order."""

    tracks: list[Track] = field(default_factory=lambda: list[Track]())
    slices: list[Slice] = field(default_factory=lambda: list[Slice]())
    instants: list[Instant] = field(default_factory=lambda: list[Instant]())


# --- parsing -------------------------------------------------------------------------------


def _key(event: Mapping[str, Any]) -> TrackKey:
    return int(event.get("pid", 0)), int(event.get("tid", 0))


def _events_of(data: Any) -> list[Mapping[str, Any]]:
    """The event list of either JSON form: ``{"traceEvents": [...]}`` or a bare list."""
    events: object = (
        cast("dict[str, Any]", data).get("traceEvents") if isinstance(data, dict) else data
    )
    if not isinstance(events, list):
        raise ValueError("not a Chrome trace: expected a list or an object with 'traceEvents'")
    return [cast("dict[str, Any]", e) for e in cast("list[object]", events) if isinstance(e, dict)]


def parse_trace(data: Any) -> Trace:
    """Build a :class:`Trace` from loaded trace JSON; nesting depths are assigned.

    Args:
        data: The decoded JSON (an object with ``traceEvents`` or a bare event list).

    Raises:
        ValueError: If ``data`` is not a trace, or an ``E`` event has no open ``B``.

    Example:
        >>> t = parse_trace([{"ph": "i", "name": "item", "pid": 1, "tid": 7, "ts": 5}])
        >>> [(tr.name, i.ts) for tr in t.tracks for i in t.instants]
        [('tid 7', 5.0)]
    """
    names: dict[TrackKey, str] = {}
    order: dict[TrackKey, int] = {}
    open_begins: dict[TrackKey, list[Mapping[str, Any]]] = {}
    trace = Trace()
    for event in _events_of(data):
        phase, key = event.get("ph"), _key(event)
        args: Mapping[str, Any] = event.get("args") or {}
        if phase == "M" and event.get("name") == "thread_name":
            names[key] = str(args.get("name", f"tid {key[1]}"))
        elif phase == "M" and event.get("name") == "thread_sort_index":
            order[key] = int(args.get("sort_index", 0))
        elif phase == "X":
            trace.slices.append(_slice(event, key, float(event.get("dur", 0.0))))
        elif phase == "B":
            open_begins.setdefault(key, []).append(event)
        elif phase == "E":
            trace.slices.append(_close(open_begins.get(key, []), event, key))
        elif phase in ("i", "I", "n"):
            trace.instants.append(
                Instant(
                    key,
                    str(event.get("name", "")),
                    str(event.get("cat", "")),
                    float(event.get("ts", 0.0)),
                    args,
                )
            )
    used = {s.track for s in trace.slices} | {i.track for i in trace.instants} | set(names)
    trace.tracks = sorted(
        (Track(k, names.get(k, f"tid {k[1]}"), order.get(k, 0)) for k in used),
        key=lambda t: (t.key[0], t.sort_index, t.key[1]),
    )
    _assign_depths(trace.slices)
    return trace


def _slice(event: Mapping[str, Any], key: TrackKey, dur: float) -> Slice:
    return Slice(
        key,
        str(event.get("name", "")),
        str(event.get("cat", "")),
        float(event.get("ts", 0.0)),
        max(dur, 0.0),
        event.get("args") or {},
    )


def _close(stack: list[Mapping[str, Any]], end: Mapping[str, Any], key: TrackKey) -> Slice:
    if not stack:
        raise ValueError(f"'E' event at ts={end.get('ts')} on track {key} has no open 'B'")
    begin = stack.pop()
    args: dict[str, Any] = {**(begin.get("args") or {}), **(end.get("args") or {})}
    merged: dict[str, Any] = {**begin, "args": args}
    return _slice(merged, key, float(end.get("ts", 0.0)) - float(begin.get("ts", 0.0)))


def _assign_depths(slices: list[Slice], tolerance_us: float = 0.5) -> None:
    """Nest slices per track like Perfetto: a slice inside an open one goes one row down."""
    by_track: dict[TrackKey, list[Slice]] = {}
    for s in slices:
        by_track.setdefault(s.track, []).append(s)
    for group in by_track.values():
        open_ends: list[float] = []
        for s in sorted(group, key=lambda s: (s.start, -s.dur)):
            while open_ends and open_ends[-1] <= s.start + tolerance_us:
                open_ends.pop()
            s.depth = len(open_ends)
            open_ends.append(s.end)


# --- drawing helpers -----------------------------------------------------------------------

PALETTE = ("#3b6fb6", "#2e9b73", "#c4621c", "#8458b3", "#b8436a", "#23899f", "#6e7d28", "#8c6a4c")
ERROR_COLOR = "#d62728"
LEGEND_COLOR = "#6b7280"  # swatches are grey: the colour of a slice is its track's
FONT = "Helvetica, Arial, sans-serif"
ROW_H = 22
MARK_H = 14
LANE_PAD = 6


def _lighter(color: str, amount: float = 0.78) -> str:
    """``color`` mixed with white (0 keeps it, 1 is white)."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def _color_of(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def nice_step(span: float, target_ticks: int = 8) -> float:
    """The smallest 1, 2 or 5 times a power of ten that cuts ``span`` in at most
    ``target_ticks`` intervals.

    Example:
        >>> nice_step(117.0), nice_step(0.9), nice_step(1000.0)
        (20.0, 0.2, 200.0)
    """
    if span <= 0:
        return 1.0
    raw = span / target_ticks
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw) * power
    return float(f"{step:.12g}")


def _ms(value: float) -> str:
    return f"{value:.12g}"


def _generation(args: Mapping[str, Any]) -> str:
    """``'(0,)'`` shows as ``0``, ``'(1, 2)'`` as ``(1,2)``; nothing when absent."""
    text = str(args.get("generation", "")).replace(" ", "")
    if text in ("", "None"):
        return ""
    return text[1:-2] if text.startswith("(") and text.endswith(",)") else text


_NARROW, _WIDE = set("ijlft.,:;'|!() "), set("mwMW@%")


def text_width(text: str, size: float = 11.0) -> float:
    """An estimate (a little generous) of the width of ``text`` in a sans-serif font.

    Example:
        >>> round(text_width("gen 0"), 1), round(text_width("stalled"), 1)
        (27.5, 34.1)
    """
    em = sum(
        0.3 if c in _NARROW else 0.86 if c in _WIDE else 0.68 if c.isupper() else 0.55 for c in text
    )
    return em * size


def _fit(
    width: float, *candidates: str, sizes: tuple[float, ...] = (11.0, 9.0)
) -> tuple[str, float]:
    """The first candidate label that fits in ``width`` pixels at the first font size
    that fits one (with that size), or ``('', 0)``."""
    for size in sizes:
        for label in candidates:
            if label and text_width(label, size) + 6 <= width:
                return label, size
    return "", 0.0


def _attr(value: str) -> str:
    """``value`` made safe inside a double-quoted attribute."""
    return escape(value, {'"': "&quot;"})


def _tooltip(*lines: str) -> str:
    return f"<title>{escape(chr(10).join(lines))}</title>"


def _args_text(args: Mapping[str, Any]) -> list[str]:
    return [f"{k}: {v}" for k, v in args.items()]


# --- layout and rendering ------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """Where things go: the time scale and the vertical position of every lane."""

    t0: float
    t1: float
    plot_left: float
    plot_right: float
    lane_top: dict[TrackKey, float]
    lane_height: dict[TrackKey, float]
    mark_rows: frozenset[TrackKey]

    def x(self, ts: float) -> float:
        span = max(self.t1 - self.t0, 1e-9)
        return self.plot_left + (ts - self.t0) / span * (self.plot_right - self.plot_left)

    def slice_y(self, s: Slice) -> float:
        marks = MARK_H if s.track in self.mark_rows else 0
        return self.lane_top[s.track] + LANE_PAD + marks + s.depth * ROW_H


def _frame(trace: Trace, width: int, top: float) -> _Frame:
    starts = [s.start for s in trace.slices] + [i.ts for i in trace.instants]
    ends = [s.end for s in trace.slices] + [i.ts for i in trace.instants]
    t0, t1 = (min(starts), max(ends)) if starts else (0.0, 1.0)
    label_w = max([110.0] + [text_width(t.name, 12.5) + 30 for t in trace.tracks])
    marks = frozenset(i.track for i in trace.instants)
    depth = {t.key: 0 for t in trace.tracks}
    for s in trace.slices:
        depth[s.track] = max(depth[s.track], s.depth + 1)
    lane_top: dict[TrackKey, float] = {}
    lane_height: dict[TrackKey, float] = {}
    y = top
    for t in trace.tracks:
        lane_top[t.key] = y
        rows = max(depth[t.key], 1) * ROW_H + (MARK_H if t.key in marks else 0)
        lane_height[t.key] = rows + 2 * LANE_PAD
        y += lane_height[t.key]
    return _Frame(
        t0, t1 if t1 > t0 else t0 + 1.0, label_w, width - 24.0, lane_top, lane_height, marks
    )


def _defs() -> str:
    return (
        "<defs>"
        '<pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
        'patternTransform="rotate(45)">'
        '<rect width="2.5" height="6" fill="#000" fill-opacity="0.10"/></pattern>'
        "</defs>"
    )


def _lanes(trace: Trace, frame: _Frame, width: int) -> Iterable[str]:
    for index, t in enumerate(trace.tracks):
        y, h = frame.lane_top[t.key], frame.lane_height[t.key]
        fill = "#f6f7f9" if index % 2 == 0 else "#ffffff"
        yield f'<rect x="0" y="{y:.1f}" width="{width}" height="{h:.1f}" fill="{fill}"/>'
        yield (
            f'<rect x="0" y="{y + 4:.1f}" width="4" height="{h - 8:.1f}" rx="1" '
            f'fill="{_color_of(index)}"/>'
        )
        yield (
            f'<text class="lane" x="14" y="{y + h / 2 + 4:.1f}" font-size="12" font-weight="600" '
            f'fill="#222">{escape(t.name)}{_tooltip(t.name, f"pid {t.key[0]}, tid {t.key[1]}")}</text>'
        )
        yield (f'<line x1="0" x2="{width}" y1="{y + h:.1f}" y2="{y + h:.1f}" stroke="#dfe2e6"/>')


def _axis(frame: _Frame, top: float, bottom: float) -> Iterable[str]:
    span_ms = (frame.t1 - frame.t0) / 1000.0
    step = nice_step(span_ms)
    yield (
        f'<line x1="{frame.plot_left}" x2="{frame.plot_right}" y1="{top}" y2="{top}" '
        'stroke="#888"/>'
    )
    for n in range(int(span_ms / step + 1e-9) + 1):
        ms = n * step
        x = frame.x(frame.t0 + ms * 1000.0)
        yield (
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}" '
            'stroke="#000" stroke-opacity="0.08"/>'
        )
        yield f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{top}" stroke="#888"/>'
        yield (
            f'<text x="{x:.1f}" y="{top - 8}" font-size="11" fill="#555" '
            f'text-anchor="middle">{_ms(ms)} ms</text>'
        )


def _slice_svg(s: Slice, frame: _Frame, color: str, clip_id: str) -> Iterable[str]:
    """The rectangle of a slice, then its label clipped to the rectangle."""
    x0 = frame.x(s.start)
    w, y, h = max(frame.x(s.end) - x0, 1.0), frame.slice_y(s), ROW_H - 3
    box = f'x="{x0:.2f}" y="{y:.1f}" width="{w:.2f}" height="{h}" rx="2"'
    tip = _tooltip(
        s.name,
        f"start {_ms(round((s.start - frame.t0) / 1000, 3))} ms, "
        f"duration {_ms(round(s.dur / 1000, 3))} ms",
        *_args_text(s.args),
    )
    gen = _generation(s.args)
    if s.cat == "wait":
        yield (
            f'<g class="slice wait"><rect {box} fill="{_lighter(color, 0.82)}" stroke="{color}" '
            f'stroke-opacity="0.55" stroke-dasharray="3 2"/>'
            f'<rect {box} fill="url(#hatch)"/>{tip}</g>'
        )
        (label, size), paint = _fit(w, s.name, sizes=(10.0,)), 'fill="#555" font-style="italic"'
    else:
        yield f'<g class="slice {_attr(s.cat)}"><rect {box} fill="{color}"/>{tip}</g>'
        full = f"{s.name} · gen {gen}" if gen else s.name
        (label, size), paint = _fit(w, full, f"gen {gen}" if gen else "", gen), 'fill="#fff"'
    if label:
        yield (
            f'<clipPath id="{clip_id}"><rect {box}/></clipPath>'
            f'<text class="label" x="{x0 + 4:.2f}" y="{y + h / 2 + size * 0.36:.1f}" font-size="{size:g}" '
            f'{paint} clip-path="url(#{clip_id})" pointer-events="none">{escape(label)}</text>'
        )


def _diamond(x: float, y: float, r: float, fill: str) -> str:
    return (
        f"M{x:.2f},{y - r:.2f} L{x + r:.2f},{y:.2f} L{x:.2f},{y + r:.2f} "
        f'L{x - r:.2f},{y:.2f} Z" fill="{fill}'
    )


def _instant_svg(i: Instant, frame: _Frame, color: str) -> str:
    x = frame.x(i.ts)
    y = frame.lane_top[i.track] + LANE_PAD + MARK_H / 2
    fill = ERROR_COLOR if i.cat == "error" else color
    tip = _tooltip(i.name, f"at {_ms(round((i.ts - frame.t0) / 1000, 3))} ms", *_args_text(i.args))
    return (
        f'<g class="instant {_attr(i.cat)}"><line x1="{x:.2f}" x2="{x:.2f}" y1="{y:.1f}" '
        f'y2="{y + MARK_H / 2 + 2:.1f}" stroke="{fill}" stroke-opacity="0.6"/>'
        f'<path d="{_diamond(x, y, 4.5, fill)}" stroke="#fff" stroke-width="1"/>{tip}</g>'
    )


def _legend(trace: Trace, y: float, x: float) -> Iterable[str]:
    color = LEGEND_COLOR
    entries: list[tuple[str, str]] = [
        (
            f'<rect x="0" y="-9" width="22" height="12" rx="2" fill="{color}"/>',
            "node run, labelled with the generation it produced",
        ),
        (
            f'<rect x="0" y="-9" width="22" height="12" rx="2" fill="{_lighter(color, 0.82)}" '
            f'stroke="{color}" stroke-opacity="0.55" stroke-dasharray="3 2"/>'
            '<rect x="0" y="-9" width="22" height="12" rx="2" fill="url(#hatch)"/>',
            "queued / stalled (waiting)",
        ),
        (f'<path d="{_diamond(11, -3, 4.5, color)}"/>', "stream item"),
    ]
    if any(i.cat == "error" for i in trace.instants):
        entries.append((f'<path d="{_diamond(11, -3, 4.5, ERROR_COLOR)}"/>', "error"))
    for swatch, text in entries:
        yield (
            f'<g class="legend" transform="translate({x:.1f},{y:.1f})">{swatch}'
            f'<text x="28" y="1" font-size="11" fill="#333">{escape(text)}</text></g>'
        )
        x += 28 + text_width(text) + 22


def render_svg(trace: Trace, width: int = 960, title: str = "") -> str:
    """The SVG text of a timeline of ``trace``.

    Args:
        trace: The parsed trace (:func:`parse_trace`).
        width: Width of the picture in pixels.
        title: A heading drawn above the timeline ('' for none).

    Example:
        >>> svg = render_svg(parse_trace([]), title="empty")
        >>> "empty" in svg and svg.endswith("</svg>\\n")
        True
    """
    head = 34 if title else 0
    axis_y = head + 30
    frame = _frame(trace, width, axis_y + 4)
    lanes_bottom = axis_y + 4 + sum(frame.lane_height.values())
    height = int(lanes_bottom + 40)
    color = {t.key: _color_of(n) for n, t in enumerate(trace.tracks)}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}">',
        _defs(),
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
    ]
    if title:
        parts.append(
            f'<text x="14" y="24" font-size="15" font-weight="700" fill="#111">'
            f"{escape(title)}</text>"
        )
    parts.extend(_lanes(trace, frame, width))
    parts.extend(_axis(frame, axis_y, lanes_bottom))
    ordered = sorted(trace.slices, key=lambda s: (s.depth, s.start))
    for n, s in enumerate(ordered):
        parts.extend(_slice_svg(s, frame, color[s.track], f"clip{n}"))
    parts.extend(_instant_svg(i, frame, color[i.track]) for i in trace.instants)
    parts.extend(_legend(trace, lanes_bottom + 24, 14))
    parts.append("</svg>\n")
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``render_trace.py TRACE.json [-o OUT.svg] [--width PX] [--title T]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("trace", type=Path, help="Chrome trace-event JSON file")
    parser.add_argument("-o", "--output", type=Path, help="SVG file (default: TRACE.svg)")
    parser.add_argument("--width", type=int, default=960, help="width in pixels (960)")
    parser.add_argument("--title", default=None, help="heading (default: the file name)")
    options = parser.parse_args(argv)
    try:
        trace = parse_trace(json.loads(options.trace.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        parser.exit(2, f"render_trace: {options.trace}: {error}\n")
    title = options.trace.name if options.title is None else options.title
    output: Path = options.output or options.trace.with_suffix(".svg")
    output.write_text(render_svg(trace, options.width, title), encoding="utf-8")
    print(
        f"wrote {output} ({len(trace.tracks)} tracks, {len(trace.slices)} slices, "
        f"{len(trace.instants)} instants)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
