"""Revisions are numbered 1, 2, 3… per article everywhere people see them, and the diff lists
images, tables and attachments added or removed as well as text."""

import re

import pytest
import sqlalchemy as sa

from bantin import articles as service
from bantin.extensions import db
from bantin.models import ArticleRevision

IMG_A = "/uploads/2026/02/aaaaaaaaaaaaaaaa-800.jpg"
IMG_B = "/uploads/2026/02/bbbbbbbbbbbbbbbb-800.jpg"
PDF = "/uploads/files/2026/02/cccccccccccccccc.pdf"
TABLE = "<table><tbody><tr><td><p>Ô một</p></td><td><p>Ô hai</p></td></tr></tbody></table>"


def figure(src: str, alt: str, caption: str = "") -> str:
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure><img src="{src}" alt="{alt}" width="800" height="533">{cap}</figure>'


ATTACHMENT = (
    f'<div class="file-attachment"><a href="{PDF}" data-type="pdf" data-size="245760">'
    'Kế hoạch năm.pdf</a><span class="file-meta">PDF, 240 KB</span></div>'
)


@pytest.fixture
def editor(factory, login):
    user = factory.user("editor", name="Biên Tập")
    login(user)
    return user


@pytest.fixture
def two_articles(factory, editor):
    """Interleaved saves, so global revision ids and per-article numbers differ."""
    cat = factory.category("Tin tức")
    first = factory.article(cat, title="Bài A")
    second = factory.article(cat, title="Bài B")
    for n in range(3):
        service.save(second, editor, {"title": f"Bài B sửa {n}"})
        service.save(first, editor, {"title": f"Bài A sửa {n}"})
    db.session.commit()
    return first, second


def revisions_of(article_id: int) -> list[ArticleRevision]:
    return list(
        db.session.scalars(
            sa.select(ArticleRevision)
            .where(ArticleRevision.article_id == article_id)
            .order_by(ArticleRevision.number)
        )
    )


def test_numbers_are_per_article(two_articles):
    first, second = two_articles
    assert [r.number for r in revisions_of(first.id)] == [1, 2, 3]
    assert [r.number for r in revisions_of(second.id)] == [1, 2, 3]
    assert [r.id for r in revisions_of(first.id)] != [1, 2, 3]


def test_history_shows_numbers_not_ids(client, two_articles):
    first, _ = two_articles
    page = client.get(f"/editor/articles/{first.id}/revisions").get_data(as_text=True)
    shown = re.findall(r'<td class="revision-number"><a href="([^"]+)">Phiên bản (\d+)</a>', page)
    ids = [r.id for r in reversed(revisions_of(first.id))]
    assert shown == [
        (f"/editor/articles/{first.id}/revisions/{rid}", str(n))
        for rid, n in zip(ids, (3, 2, 1), strict=True)
    ]
    assert "Hiện tại" in page


def test_revision_page_and_diff_say_phien_ban_n(client, two_articles):
    first, _ = two_articles
    one = revisions_of(first.id)[0]
    page = client.get(f"/editor/articles/{first.id}/revisions/{one.id}").get_data(as_text=True)
    assert "<h1>Phiên bản 1</h1>" in page
    assert "Khác với bản hiện tại (phiên bản 3)" in page
    assert "− Phiên bản 1" in page  # the diff's legend
    assert "Khôi phục phiên bản 1" in page
    assert f"#{one.id}" not in page


def test_restore_is_numbered_and_named_by_number(client, two_articles):
    first, _ = two_articles
    one = revisions_of(first.id)[0]
    client.post(f"/editor/articles/{first.id}/revisions/{one.id}/restore")
    revs = revisions_of(first.id)
    assert [r.number for r in revs] == [1, 2, 3, 4]
    assert revs[-1].note == f"revision_restore:{one.id}"
    history = client.get(f"/editor/articles/{first.id}/revisions").get_data(as_text=True)
    assert "Khôi phục từ phiên bản 1" in history
    page = client.get(f"/editor/articles/{first.id}/revisions/{revs[-1].id}").get_data(as_text=True)
    assert "Khôi phục từ phiên bản 1" in page


def test_diff_lists_images_tables_and_attachments(client, factory, editor):
    cat = factory.category("Thông báo")
    art = factory.article(cat, title="Thông báo lịch họp")
    old_body = (
        "<p>Lịch họp tuần này.</p>"
        + figure(IMG_A, "Hội trường", "Hội trường xã")
        + TABLE
        + ATTACHMENT
    )
    service.save(art, editor, {"body": old_body})
    new_body = "<p>Lịch họp tuần này.</p>" + figure(IMG_B, "Sân trụ sở") + TABLE + TABLE
    service.save(art, editor, {"body": new_body})
    db.session.commit()
    old = revisions_of(art.id)[0]
    page = client.get(f"/editor/articles/{art.id}/revisions/{old.id}").get_data(as_text=True)
    media = page[page.index('class="media-changes"') :]
    media = media[: media.index("</div>")]
    removed = re.findall(r'<li class="diff-removed">(.*?)</li>', media)
    added = re.findall(r'<li class="diff-added">(.*?)</li>', media)
    assert any("Ảnh “Hội trường xã”" in item and IMG_A in item for item in removed)
    assert any("Tệp đính kèm “Kế hoạch năm.pdf”" in item and PDF in item for item in removed)
    assert any("Ảnh “Sân trụ sở”" in item and IMG_B in item for item in added)
    assert any("1 bảng (trước: 1, sau: 2)" in item for item in added)
    assert "Chữ không thay đổi." in page or "diff-lines" in page


def test_diff_of_same_bodies_says_so(client, factory, editor):
    art = factory.article(factory.category(), title="Không đổi")
    service.save(art, editor, {"title": "Không đổi"})
    db.session.commit()
    rev = revisions_of(art.id)[0]
    page = client.get(f"/editor/articles/{art.id}/revisions/{rev.id}").get_data(as_text=True)
    assert "Hai phiên bản giống nhau." in page
    assert 'class="media-changes"' not in page


def test_conflict_page_gets_the_latest_revision_and_media_changes(app, client, factory, editor):
    from flask import template_rendered

    art = factory.article(factory.category(), title="Gốc", body=figure(IMG_A, "Ảnh"))
    service.save(art, editor, {"title": "Bản một"})
    service.save(art, editor, {"title": "Bản hai"})
    db.session.commit()
    seen = {}

    def record(sender, template, context, **extra):
        seen[template.name] = context

    template_rendered.connect(record, app)
    try:
        r = client.post(
            f"/editor/articles/{art.id}/edit",
            data={
                "title": "Của tôi",
                "category_id": str(art.category_id),
                "body": "<p>Không còn ảnh</p>",
                "status": "draft",
                "version": "1",
            },
        )
    finally:
        template_rendered.disconnect(record, app)
    assert r.status_code == 409
    context = seen["editor/articles/form.html"]
    assert context["latest_revision"].number == 2 and context["revision_number"] == 2
    assert [i.src for i in context["media_changes"].images_removed] == [IMG_A]
