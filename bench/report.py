#!/usr/bin/env python3
"""Markdown tables for docs/performance.md from bench/run.py results.

    .venv/bin/python bench/report.py bench/results/SMALL.json [bench/results/LARGE.json]

With one file: the table and the ratio targets. With two (e.g. 1k and 100k articles):
both tables, the p50 growth of each page between them and the checks of issue 6.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

RATIO_TARGETS = {"article": 0.60, "home": 0.50, "category": 0.50}
GROWTH_PAGES = ("home", "category", "category_deep", "article", "search")
GROWTH_LIMIT = 1.25
SEARCH_P50_MS = 20.0
COMMENTS_PER_S = 200.0
RSS_MB = 250.0
WEIGHT_LIMITS = {"article_html_bytes": 40_000, "css_bytes": 20_000, "js_bytes": 10_000}


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def table(report: dict) -> str:
    data = report.get("data", {})
    m = report["machine"]
    load_avg = m.get("load_average_at_start") or [0, 0, 0]
    lines = [
        f"**{data.get('articles', '?'):,} articles, {data.get('comments', '?'):,} comments** "
        f"({report['started']}, commit {m.get('commit') or '?'}, loader "
        f"{report['settings']['loader']}, {report['settings']['connections']} connections, "
        f"{report['settings']['duration_s']:.0f} s per target, load average at start "
        f"{load_avg[0]:.2f})",
        "",
        "| target | req/s | p50 ms | p99 ms | server p50 ms | × bare Flask |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in report["results"]:
        ratio = f"{r['ratio'] * 100:.1f}%" if r.get("ratio") is not None else "–"
        server = r.get("server_p50_ms")
        lines.append(
            f"| {r['target']} | {r['rps']:,.1f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
            f"{server if server is not None else '–'} | {ratio} |"
        )
    extra = []
    for r in report["results"]:
        if "views" in r:
            v = r["views"]
            extra.append(
                f"- article views: +{v['delta']} counted, {v['served_200_in_access_log']} "
                f"answered 200 by the server (the client read {v['responses_200_read']} of "
                f"{v['requests_sent']} sent); exact: **{v['exact']}**"
            )
        if "comments" in r:
            c = r["comments"]
            extra.append(
                f"- comments: {c['accepted']} accepted in {c['seconds']:.1f} s "
                f"({c['accepted_per_s']:.1f}/s), {c['stored']} stored, lost {c['lost']}, "
                f"5xx {c['status_5xx']}"
            )
    if "rss" in report:
        rss = report["rss"]
        extra.append(
            f"- gunicorn memory (master + workers): peak summed VmRSS {rss['peak_rss_sum_mb']} MB,"
            f" summed VmHWM {rss['hwm_sum_mb']} MB ({rss['processes']} processes)"
        )
    if "page_weight" in report:
        w = report["page_weight"]
        extra.append(
            f"- page weight: article HTML {w['article_html_bytes']:,} B "
            f"({w['article_html_gzip_bytes']:,} B gzipped), first-party CSS {w['css_bytes']:,} B, "
            f"reader JS {w['js_bytes']:,} B"
        )
    extra += [f"- note: {n}" for n in report.get("notes", [])]
    return "\n".join(lines + [""] + extra)


def by_target(report: dict) -> dict[str, dict]:
    return {r["target"]: r for r in report["results"]}


def checks(small: dict, large: dict | None) -> str:
    rows = ["| target | limit | measured | met |", "| --- | --- | --- | --- |"]

    def add(name: str, limit: str, measured: str, ok: bool | None) -> None:
        mark = "–" if ok is None else ("yes" if ok else "**no**")
        rows.append(f"| {name} | {limit} | {measured} | {mark} |")

    main = large or small
    results = by_target(main)
    size = f"{main.get('data', {}).get('articles', '?'):,} articles"
    for target, limit in RATIO_TARGETS.items():
        r = results.get(target)
        if r and r.get("ratio") is not None:
            add(
                f"{target} throughput ({size})",
                f"≥ {limit:.0%} of bare Flask",
                f"{r['ratio']:.1%}",
                r["ratio"] >= limit,
            )
    if large is not None:
        a, b = by_target(small), by_target(large)
        for page in GROWTH_PAGES:
            if page in a and page in b and a[page]["p50_ms"]:
                growth = b[page]["p50_ms"] / a[page]["p50_ms"]
                add(
                    f"{page} p50 growth",
                    f"≤ {GROWTH_LIMIT}×",
                    f"{a[page]['p50_ms']:.2f} → {b[page]['p50_ms']:.2f} ms ({growth:.2f}×)",
                    growth <= GROWTH_LIMIT,
                )
    s = results.get("search")
    if s:
        server = s.get("server_p50_ms")
        add(
            f"search p50, server time ({size})",
            f"≤ {SEARCH_P50_MS:.0f} ms",
            f"{server} ms (client p50 {s['p50_ms']:.1f} ms)",
            server is not None and server <= SEARCH_P50_MS,
        )
    c = results.get("comment")
    if c:
        info = c["comments"]
        add(
            "comment POST",
            f"≥ {COMMENTS_PER_S:.0f}/s, 0 lost, 0 5xx",
            f"{info['accepted_per_s']:.1f}/s, lost {info['lost']}, 5xx {info['status_5xx']}",
            info["accepted_per_s"] >= COMMENTS_PER_S
            and info["lost"] == 0
            and info["status_5xx"] == 0,
        )
    if "rss" in main:
        rss = main["rss"]["peak_rss_sum_mb"]
        add(f"gunicorn RSS ({size})", f"≤ {RSS_MB:.0f} MB", f"{rss} MB", rss <= RSS_MB)
    w = main.get("page_weight")
    if w:
        for key, limit in WEIGHT_LIMITS.items():
            add(key.replace("_", " "), f"≤ {limit:,} B", f"{w[key]:,} B", w[key] <= limit)
    a = results.get("article", {}).get("views")
    if a:
        add("article views exact", "every 200 counted once", str(a["exact"]), a["exact"])
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("small", type=Path)
    ap.add_argument("large", type=Path, nargs="?")
    args = ap.parse_args(argv)
    small = load(args.small)
    large = load(args.large) if args.large else None
    print(table(small))
    if large is not None:
        print()
        print(table(large))
    print()
    print(checks(small, large))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
