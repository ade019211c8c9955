"""seed-bench (bulk benchmark data) and one short round of the benchmark harness."""

import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from bantin.benchdata import Vocabulary
from bantin.extensions import db
from bantin.models import (
    Article,
    ArticleStatus,
    Category,
    Comment,
    CommentStatus,
    DailyStats,
    Media,
)
from bantin.sanitize import html_to_text
from bantin.text import slugify

ROOT = Path(__file__).resolve().parent.parent


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_bench_fills_the_database_with_consistent_data(app, runner):
    result = runner.invoke(args=["seed-bench", "--articles", "100", "--comments", "300"])
    assert result.exit_code == 0, result.output
    assert "100 articles" in result.output

    assert _count(Article) == 100
    assert _count(Comment) == 300
    assert 10 <= _count(Category) <= 20
    assert _count(DailyStats) > 365
    assert _count(Media) >= 1

    # The denormalised count is exactly the number of approved comments of each article.
    approved = dict(
        db.session.execute(
            sa.select(Comment.article_id, sa.func.count())
            .where(Comment.status == CommentStatus.APPROVED)
            .group_by(Comment.article_id)
        ).all()
    )
    stored = dict(db.session.execute(sa.select(Article.id, Article.comment_count)).all())
    assert stored == {aid: approved.get(aid, 0) for aid in stored}
    statuses = dict(
        db.session.execute(
            sa.select(Comment.status, sa.func.count()).group_by(Comment.status)
        ).all()
    )
    assert statuses[CommentStatus.APPROVED] > 0.8 * 300
    assert statuses.get(CommentStatus.PENDING, 0) + statuses.get(CommentStatus.SPAM, 0) > 0

    articles = db.session.scalars(sa.select(Article)).all()
    visible = [a for a in articles if a.is_visible()]
    assert 90 <= len(visible) < 100
    assert any(a.status == ArticleStatus.DRAFT for a in articles)
    # Comments only on articles readers can see, never before the article appeared.
    for comment in db.session.scalars(sa.select(Comment).limit(50)):
        assert comment.article.is_visible()
        assert comment.created_at >= comment.article.published_at
    years = {a.published_at.year for a in visible}
    assert len(years) >= 5

    upload = Path(app.config["UPLOAD_FOLDER"])
    for article in articles:
        assert 8 <= len(article.title.split()) <= 16
        assert article.slug == slugify(article.title)
        assert 30 <= len(article.lead.split()) <= 60
        words = len(html_to_text(article.body).split())
        assert 380 <= words <= 1300, words
        for src in re.findall(r'<img src="/uploads/([^"]+)"', article.body):
            assert (upload / src).is_file()
    assert any("<figure>" in a.body for a in articles)
    assert any(re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệ]", a.body) for a in articles[:5])

    # The same seed gives the same text.
    first = Vocabulary.build(random.Random(5))
    second = Vocabulary.build(random.Random(5))
    assert [first.title(first.topics[0]) for _ in range(20)] == [
        second.title(second.topics[0]) for _ in range(20)
    ]


def test_seed_bench_refuses_content_without_force_and_search_finds_it(app, runner):
    assert runner.invoke(args=["seed-bench", "--articles", "20", "--comments", "30"]).exit_code == 0
    refused = runner.invoke(args=["seed-bench", "--articles", "20", "--comments", "30"])
    assert refused.exit_code != 0
    assert "--force" in refused.output
    assert _count(Article) == 20

    forced = runner.invoke(args=["seed-bench", "--articles", "20", "--comments", "30", "--force"])
    assert forced.exit_code == 0, forced.output
    assert _count(Article) == 40
    slugs = db.session.scalars(sa.select(Category.slug)).all()
    assert len(slugs) == len(set(slugs))

    from bantin import search

    assert "search index rebuilt" in forced.output
    article = db.session.scalars(
        sa.select(Article).where(Article.visible_clause()).order_by(Article.id.desc())
    ).first()
    word = max(article.title.split()[:4], key=len)
    if hasattr(search, "search") and hasattr(search, "parse_query"):
        results = search.search(search.parse_query(word))
        assert results.total >= 1
        assert article.id in {hit.article.id for hit in results.hits} or results.total > 20


def _loader() -> str:
    if shutil.which("wrk"):
        return "wrk"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail("wrk is required (REQUIRE_BROWSER=1) but not installed")
    return "python"  # run.py's built-in load generator


@pytest.mark.live
def test_harness_runs_one_short_round(tmp_path):
    out = tmp_path / "results"
    # The shipped nginx's microcache when nginx is here: views exact across app and log.
    targets = ["baseline", "home", "article"] + (["nginx_article"] if shutil.which("nginx") else [])
    cmd = [
        sys.executable,
        str(ROOT / "bench" / "run.py"),
        "--articles",
        "100",
        "--comments",
        "300",
        "--duration",
        "1",
        "--connections",
        "4",
        "--targets",
        ",".join(targets),
        "--loader",
        _loader(),
        "--out",
        str(out),
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = list(out.glob("*.json"))
    assert len(files) == 1
    report = json.loads(files[0].read_text())
    results = {r["target"]: r for r in report["results"]}
    assert set(results) == set(targets), report["notes"]
    for r in results.values():
        assert r["requests"] > 0
        assert r["status_5xx"] == 0
        assert r["ratio"] is not None
    for name in {"article", "nginx_article"} & set(targets):
        views = results[name]["views"]
        assert views["exact"], views
    assert report["page_weight"]["article_html_bytes"] > 1000
    assert report["rss"]["processes"] >= 2
    assert "baseline" in proc.stdout and "article" in proc.stdout
