"""Site search over every kind (issue 13 §5): articles, official documents and pages, each
result marked with its kind, a filter by kind, one order across kinds, kept in step."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from bantin import search
from bantin.extensions import db
from bantin.models import (
    DocumentStatus,
    DocumentTerm,
    OfficialDocument,
    Page,
    PageStatus,
    TermKind,
)
from bantin.search import portal

RESULT = re.compile(r'<li class="result result-(\w+)">\s*<h3 class="card-title"><a href="([^"]+)"')


def document(number: str, abstract: str, published: bool = True, **kw) -> OfficialDocument:
    term = db.session.scalar(sa.select(DocumentTerm).where(DocumentTerm.kind == TermKind.TYPE))
    if term is None:
        term = DocumentTerm(kind=TermKind.TYPE, name="Quyết định")
        db.session.add(term)
    doc = OfficialDocument(
        number=number,
        slug=re.sub(r"[^a-z0-9]+", "-", number.lower()).strip("-"),
        abstract=abstract,
        type=term,
        issued_on=kw.pop("issued_on", date(2026, 3, 2)),
        signer=kw.pop("signer", "Trần Văn An"),
        status=DocumentStatus.PUBLISHED if published else DocumentStatus.DRAFT,
        **kw,
    )
    db.session.add(doc)
    db.session.commit()
    return doc


def page(title: str, body: str, parent: Page | None = None, published: bool = True, **kw) -> Page:
    item = Page(
        title=title,
        slug=kw.pop("slug", re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "trang"),
        body=body,
        parent=parent,
        status=PageStatus.PUBLISHED if published else PageStatus.DRAFT,
        **kw,
    )
    db.session.add(item)
    db.session.commit()
    return item


def results(client, q: str, **params) -> list[tuple[str, str]]:
    response = client.get("/search", query_string={"q": q, **params})
    assert response.status_code == 200
    return RESULT.findall(response.get_data(as_text=True))


def test_documents_and_pages_are_found_without_diacritics_and_marked_by_kind(client, factory):
    doc = document("15/2025/QĐ-UBND", "Ban hành quy chế làm việc của Ủy ban nhân dân xã")
    about = page("Gioi thieu", "<p>Chức năng, nhiệm vụ và quy chế phối hợp.</p>", slug="gioi-thieu")
    child = page("Co cau", "<p>Sơ đồ tổ chức.</p>", parent=about, slug="co-cau-to-chuc")
    art = factory.article(title="Hội nghị triển khai quy chế mới")
    found = results(client, "quy che")
    kinds = dict((url, kind) for kind, url in found)
    assert kinds == {
        f"/documents/{doc.id}/{doc.slug}": "document",
        "/page/gioi-thieu": "page",
        f"/article/{art.id}/{art.slug}": "article",
    }
    html = client.get("/search", query_string={"q": "quy che"}).get_data(as_text=True)
    assert (
        '<span class="kind">Văn bản</span> · 15/2025/QĐ-UBND · '
        '<time datetime="2026-03-02">02/03/2026</time>' in html
    )
    assert "Tìm thấy 3 kết quả" in html
    # A number typed with its code, the signer, a child page by its own words.
    assert results(client, "QD-UBND 15/2025") == [("document", f"/documents/{doc.id}/{doc.slug}")]
    assert results(client, "tran van an") == [("document", f"/documents/{doc.id}/{doc.slug}")]
    assert results(client, "so do to chuc") == [("page", "/page/gioi-thieu/co-cau-to-chuc")]
    assert child.id


def test_the_kind_filter_and_its_counts(client, factory):
    doc = document("7/KH-UBND", "Kế hoạch phòng chống lụt bão năm 2026")
    page("Phong chong lut bao", "<p>Hướng dẫn phòng chống lụt bão cho người dân.</p>")
    factory.article(title="Diễn tập phòng chống lụt bão")
    factory.article(title="Sửa đê trước mùa lụt bão")
    assert [k for k, _ in results(client, "lut bao", kind="document")] == ["document"]
    assert [k for k, _ in results(client, "lut bao", kind="page")] == ["page"]
    assert [k for k, _ in results(client, "lut bao", kind="article")] == ["article", "article"]
    # An unknown kind is ignored: every kind.
    assert len(results(client, "lut bao", kind="<script>")) == 4
    html = client.get("/search", query_string={"q": "lut bao"}).get_data(as_text=True)
    assert 'aria-current="page">Tất cả</a>' in html
    assert 'kind=document">Văn bản <span class="count">(1)</span>' in html
    assert 'kind=article">Bài viết <span class="count">(2)</span>' in html
    assert 'kind=page">Trang giới thiệu <span class="count">(1)</span>' in html
    assert doc.id


def test_drafts_trash_and_pages_under_an_unpublished_parent_are_not_found(client):
    doc = document("3/TB-UBND", "Thông báo lịch tiếp công dân", published=False)
    parent = page("Tai lieu", "<p>Tài liệu.</p>", published=False, slug="tai-lieu")
    page("Tiep dan", "<p>Lịch tiếp công dân định kỳ.</p>", parent=parent, slug="tiep-dan")
    assert results(client, "tiep cong dan") == []
    doc.status = DocumentStatus.PUBLISHED
    parent.status = PageStatus.PUBLISHED
    db.session.commit()
    assert sorted(k for k, _ in results(client, "tiep cong dan")) == ["document", "page"]
    doc.status = DocumentStatus.DELETED
    db.session.commit()
    assert [k for k, _ in results(client, "tiep cong dan")] == ["page"]
    db.session.delete(doc)
    db.session.commit()
    assert [k for k, _ in results(client, "tiep cong dan")] == ["page"]


def test_an_english_page_is_found_by_its_english_words_and_shown_in_english(client):
    page(
        "Lien he",
        "<p>Địa chỉ và điện thoại.</p>",
        slug="lien-he",
        title_en="Contact us",
        body_en="<p>Address and telephone of the office.</p>",
    )
    assert results(client, "telephone office") == [("page", "/page/lien-he")]
    client.set_cookie("lang", "en")
    html = client.get("/search", query_string={"q": "telephone"}).get_data(as_text=True)
    assert '<a href="/page/lien-he"><mark>Contact</mark> us</a>' in html or (
        '<a href="/page/lien-he">Contact us</a>' in html
    )


def test_one_order_across_kinds_exact_tier_first_documents_and_pages_before_articles(
    app, client, factory
):
    exact_doc = document("1/QC", "Quy chế dân chủ ở cơ sở")
    folded_doc = document("2/QC", "Quy che to chuc hoat dong (ban khong dau)")
    exact_art = factory.article(title="Quy chế mới được thông qua")
    folded_art = factory.article(title="Sua doi quy che (khong dau)")
    with app.test_request_context("/search"):
        found = search.search(search.parse_query("quy chế"), per_page=10)
        order = [(h.kind, h.url or h.article.id) for h in found.hits]
        assert order == [
            ("document", f"/documents/{exact_doc.id}/{exact_doc.slug}"),
            ("article", exact_art.id),
            ("document", f"/documents/{folded_doc.id}/{folded_doc.slug}"),
            ("article", folded_art.id),
        ]
        assert found.total == 4
        # The pages of the merged list, one result a page, are that list in order.
        paged = []
        for number in range(1, 5):
            one = search.search(search.parse_query("quy chế"), page=number, per_page=1)
            assert one.total == 4
            paged += [(h.kind, h.url or h.article.id) for h in one.hits]
        assert paged == order
        assert search.search(search.parse_query("quy chế"), page=5, per_page=1).hits == []


def test_paging_over_many_articles_and_documents_loses_and_repeats_nothing(app, factory):
    docs = [document(f"{n}/KH", f"Kế hoạch thu hoạch lúa số {n}") for n in range(1, 8)]
    arts = [factory.article(title=f"Thu hoạch lúa vụ {n}") for n in range(1, 12)]
    with app.test_request_context("/search"):
        query = search.parse_query("thu hoach lua")
        seen = []
        for number in range(1, 5):
            hits = search.search(query, page=number, per_page=5).hits
            seen += [(h.kind, h.url or h.article.id) for h in hits]
    assert len(seen) == len(set(seen)) == 18
    assert [k for k, _ in seen[:7]] == ["document"] * 7  # folded tier: documents first
    assert len(docs) + len(arts) == 18


def test_the_reindex_command_rebuilds_the_portal_index(app, client):
    document("9/BC", "Báo cáo kết quả thu ngân sách")
    db.session.execute(sa.text(f"DELETE FROM {portal.TEXT_TABLE}"))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(f"DELETE FROM {portal.FOLDED_TABLE}"))
    else:  # a contentless FTS5 table is emptied by its 'delete-all' command
        db.session.execute(
            sa.text(
                f"INSERT INTO {portal.FOLDED_TABLE}({portal.FOLDED_TABLE}) VALUES ('delete-all')"
            )
        )
    db.session.commit()
    assert results(client, "ngan sach") == []
    out = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert out.exit_code == 0, out.output
    assert "1 documents and pages" in out.output
    assert [k for k, _ in results(client, "ngan sach")] == ["document"]


@pytest.mark.parametrize(
    "params", [{"kind": "x" * 500}, {"kind": ""}, {"kind": "document", "page": "999"}]
)
def test_odd_kind_and_page_values_never_fail(client, params):
    document("4/QĐ", "Quyết định khen thưởng")
    response = client.get("/search", query_string={"q": "khen thuong", **params})
    assert response.status_code in ({200} if params.get("page") != "999" else {404})
