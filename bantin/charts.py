"""Small server-side SVG charts: no chart library, no JavaScript, every value escaped."""

from collections.abc import Callable, Sequence
from math import floor, log10

from markupsafe import Markup, escape


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10^k at or above value (at least 1), for a clean axis."""
    if value <= 1:
        return 1
    magnitude = 10 ** floor(log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover  (the loop always returns)


def _num(value: float) -> str:
    """Coordinates with at most two decimals, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _classes(extra: str) -> str:
    return escape(f"chart {extra}".strip())


def bar_chart(
    points: Sequence[tuple[str, int]],
    *,
    title: str,
    desc: str,
    chart_id: str = "chart",
    width: int = 720,
    height: int = 240,
    label_every: int = 5,
    fmt: Callable[[int], str] = str,
    css_class: str = "",
) -> Markup:
    """A vertical bar chart as inline SVG with role="img", <title> and <desc>.

    Each bar carries its own <title> (a tooltip, read by screen readers); the page
    should still offer the numbers as a table for anyone who cannot use the picture.
    Made for wide screens: on a phone its text shrinks with it (see ``hbar_chart``).
    """
    left, right, top, bottom = 48, 8, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    ceiling = nice_ceiling(max((v for _, v in points), default=0))
    n = max(len(points), 1)
    slot = plot_w / n
    bar_w = max(slot * 0.72, 1)
    cid = escape(chart_id)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_classes(css_class)}" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{cid}-title {cid}-desc">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]
    # Horizontal grid lines with their values: 0, half (when a whole number), full.
    fractions = (0, 0.5, 1) if ceiling % 2 == 0 else (0, 1)
    for fraction in fractions:
        y = top + plot_h - plot_h * fraction
        value = int(ceiling * fraction)
        out.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{_num(y)}" y2="{_num(y)}" '
            f'stroke="#d9dde2" stroke-width="1"/>'
        )
        out.append(
            f'<text class="axis" x="{left - 6}" y="{_num(y + 4)}" text-anchor="end" '
            f'font-size="11" fill="#4d5560">{escape(fmt(value))}</text>'
        )
    for i, (label, value) in enumerate(points):
        h = plot_h * value / ceiling if ceiling else 0
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h - h
        out.append(
            f'<rect class="bar" x="{_num(x)}" y="{_num(y)}" width="{_num(bar_w)}" '
            f'height="{_num(h)}" fill="#8f1d1d">'
            f"<title>{escape(label)}: {escape(fmt(value))}</title></rect>"
        )
        if label_every and (i % label_every == 0 or i == len(points) - 1):
            out.append(
                f'<text class="axis" x="{_num(left + slot * i + slot / 2)}" '
                f'y="{height - 8}" text-anchor="middle" font-size="11" fill="#4d5560">'
                f"{escape(label)}</text>"
            )
    out.append("</svg>")
    return Markup("".join(out))


def hbar_chart(
    points: Sequence[tuple[str, int]],
    *,
    title: str,
    desc: str,
    chart_id: str = "chart",
    width: int = 340,
    row: int = 24,
    font_size: int = 14,
    fmt: Callable[[int], str] = str,
    css_class: str = "",
) -> Markup:
    """A horizontal bar chart for narrow screens: one row per point, every row labelled,
    its value written beside its bar, in points that stay readable on a 360 px phone.

    The viewBox is about as wide as a phone's content column, so text is drawn close to
    ``font_size`` CSS pixels; the page should cap the chart's width so it does not grow
    with a wider screen. Points are drawn top to bottom in the order given.
    """
    values = [v for _, v in points]
    ceiling = max(values, default=0) or 1
    char_w = font_size * 0.62  # an average digit's advance, generous
    left = 8 + char_w * max((len(label) for label, _ in points), default=0)
    value_room = 10 + char_w * max((len(fmt(v)) for v in values), default=1)
    top, bottom = 4, 4
    plot_w = max(width - left - value_room, 1)
    height = top + row * len(points) + bottom
    bar_h = round(row * 0.6)
    cid = escape(chart_id)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_classes(css_class)}" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{cid}-title {cid}-desc">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
        f'<line class="grid" x1="{_num(left)}" x2="{_num(left)}" y1="{top}" '
        f'y2="{height - bottom}" stroke="#767f8a" stroke-width="1"/>',
    ]
    for i, (label, value) in enumerate(points):
        y = top + row * i
        w = plot_w * value / ceiling
        middle = y + row / 2
        baseline = _num(middle + font_size * 0.35)
        out.append(
            f'<text class="axis day" x="{_num(left - 6)}" y="{baseline}" text-anchor="end" '
            f'font-size="{font_size}" fill="#4d5560">{escape(label)}</text>'
        )
        out.append(
            f'<rect class="bar" x="{_num(left)}" y="{_num(middle - bar_h / 2)}" '
            f'width="{_num(w)}" height="{bar_h}" fill="#8f1d1d">'
            f"<title>{escape(label)}: {escape(fmt(value))}</title></rect>"
        )
        out.append(
            f'<text class="value" x="{_num(left + w + 5)}" y="{baseline}" '
            f'font-size="{font_size}" fill="#1c1f23">{escape(fmt(value))}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
