"""Search: diacritic folding, safe queries, ranking, snippets and an index kept in step."""

import re
import unicodedata
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bantin import cache, search
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, ArticleStatus
from bantin.text import fold

RESULT_LINK = re.compile(
    r'<li class="result[^"]*">\s*<h3 class="card-title"><a href="/article/(\d+)/'
)

# key -> (title, lead, body). Words are chosen so that each query's hits are known exactly.
CORPUS = {
    "danvan": (
        "Phong trào Dân vận khéo ở thôn Phú Lộc",
        "Nhân dân góp công sức làm đường làng.",
        "<p>Bà con hiến đất, mở rộng đường bê tông. Chiến dịch Covid-19 cũng được nhắc.</p>",
    ),
    "duong": (
        "Đường liên thôn về đích sớm",
        "Tuyến ĐƯỜNG mới dài ba cây số.",
        "<p>Người dân phấn khởi.</p>",
    ),
    "thangbinh": (
        "Thăng Bình tổ chức hội nghị cán bộ",
        "Hội nghị diễn ra trong một ngày.",
        "<p>Các đại biểu thảo luận sôi nổi.</p>",
    ),
    "pho": (
        "Phổ biến pháp luật cho thanh niên",
        "Buổi tuyên truyền thu hút đông người.",
        "<p>Thanh niên tham gia tích cực.</p>",
    ),
    "hoagiai": (
        "Tổ hoà giải ở cơ sở hoạt động hiệu quả",
        "Nhiều vụ việc được giải quyết êm đẹp.",
        "<p>Tổ gồm năm thành viên.</p>",
    ),
    "hoanhap": (
        "Giúp người khuyết tật hòa nhập cộng đồng",
        "Chương trình hỗ trợ sinh kế.",
        "<p>Nhiều mô hình hay.</p>",
    ),
    "vanhoa": (
        "Liên hoan văn hóa văn nghệ",
        "Các đội thi biểu diễn.",
        "<p>Khán giả cổ vũ nhiệt tình.</p>",
    ),
    "bangiao": (
        "Trao nhà tình nghĩa cho gia đình chính sách",
        "Niềm vui ngày nhận nhà mới.",
        "<p>Lễ bàn giao diễn ra ấm cúng.</p>",
    ),
    "bandaugia": (
        "Thông báo bán đấu giá tài sản",
        "Tài sản gồm xe ô tô cũ.",
        "<p>Hồ sơ nộp tại bộ phận một cửa.</p>",
    ),
    "thuyloi_title": (
        "Kiên cố hóa kênh mương thủy lợi",
        "Công trình phục vụ sản xuất.",
        "<p>Vốn từ ngân sách tỉnh.</p>",
    ),
    "thuyloi_body": (
        "Nông dân xuống đồng vụ hè thu",
        "Thời tiết thuận lợi.",
        "<p>Hệ thống thủy lợi bảo đảm đủ nước tưới.</p>",
    ),
    "markup": (
        "Cảnh giác <script> lừa đảo qua mạng",
        "Không bấm vào đường link lạ & không chuyển tiền.",
        "<p>Kẻ gian giả danh &lt;b&gt;cơ quan chức năng&lt;/b&gt;.</p>",
    ),
}
HIDDEN = {
    "draft": ("Bản nháp kế hoạch bí mật", "Chưa đăng.", "<p>Nháp.</p>"),
    "scheduled": ("Kế hoạch tương lai của xã", "Sẽ đăng sau.", "<p>Lên lịch.</p>"),
    "deleted": ("Tin đã xóa khỏi trang", "Đã gỡ.", "<p>Thùng rác.</p>"),
}


@pytest.fixture
def corpus(factory):
    cat = factory.category("Tin tức")
    ids: dict[str, int] = {}
    for i, (key, (title, lead, body)) in enumerate(CORPUS.items()):
        art = factory.article(cat, title=title, lead=lead, body=body, age=timedelta(hours=i + 1))
        ids[key] = art.id
    t, le, b = HIDDEN["draft"]
    ids["draft"] = factory.article(cat, title=t, lead=le, body=b, published=False).id
    t, le, b = HIDDEN["scheduled"]
    ids["scheduled"] = factory.article(cat, title=t, lead=le, body=b, age=-timedelta(days=2)).id
    t, le, b = HIDDEN["deleted"]
    ids["deleted"] = factory.article(cat, title=t, lead=le, body=b, status=ArticleStatus.DELETED).id
    return ids


def hits(client, q, page=None):
    params = {"q": q}
    if page is not None:
        params["page"] = page
    response = client.get("/search", query_string=params)
    return response, [int(x) for x in RESULT_LINK.findall(response.get_data(as_text=True))]


def keys_of(corpus, ids):
    names = {v: k for k, v in corpus.items()}
    return [names.get(i, i) for i in ids]


DECOMPOSED = unicodedata.normalize("NFD", "Dân vận khéo")
# (query, expected keys, or "form"/"too_long"/"no_words" for the page state)
TABLE = [
    ("dan van kheo", {"danvan"}),
    ("Dân vận khéo", {"danvan"}),
    (DECOMPOSED, {"danvan"}),
    ("DAN VAN KHEO", {"danvan"}),
    ("  dan   van  ", {"danvan"}),
    ("duong", {"danvan", "duong", "markup"}),
    ("Đường", {"danvan", "duong", "markup"}),
    ("đường", {"danvan", "duong", "markup"}),
    ("ĐƯỜNG LIÊN THÔN", {"duong"}),
    ("thang binh", {"thangbinh"}),
    ("Thăng Bình", {"thangbinh"}),
    ("pho", {"pho"}),
    ("phổ biến", {"pho"}),
    ("hoà", {"hoagiai", "hoanhap", "vanhoa", "thuyloi_title"}),
    ("hòa", {"hoagiai", "hoanhap", "vanhoa", "thuyloi_title"}),
    ("hoa giai", {"hoagiai"}),
    ("bàn", {"bangiao", "bandaugia"}),
    ("ban dau gia", {"bandaugia"}),
    ("thuy loi", {"thuyloi_title", "thuyloi_body"}),
    ("covid-19", {"danvan"}),
    ("COVID 19", {"danvan"}),
    ("-dan van", {"danvan"}),
    ("^dan", {"danvan", "duong", "thuyloi_body"}),  # Nhân dân, Người dân, Nông dân
    ("dan:", {"danvan", "duong", "thuyloi_body"}),
    ("thang*", {"thangbinh"}),
    ("(thang binh)", {"thangbinh"}),
    ('"thang binh"', {"thangbinh"}),
    ("dan\x00van", {"danvan"}),
    ("dân 🎉 vận", {"danvan"}),
    ("NEAR(dan van)", set()),  # NEAR is a word here, and no article has it
    ("dan AND van", set()),
    ("dan OR xyz", set()),
    ("NOT dan", set()),
    ("title:dan", set()),  # no column filters either
    ("'; DROP TABLE article; --", set()),
    ("1 OR 1=1", set()),
    ("<script>alert(1)</script>", set()),
    ("script", {"markup"}),
    ("bi mat", set()),  # drafts never show
    ("tuong lai", set()),  # nor scheduled articles
    ("da xoa", set()),  # nor deleted ones
    ("", "form"),
    ("     ", "form"),
    ("\x00", "form"),
    ('"', "no_words"),
    ("*", "no_words"),
    ("()", "no_words"),
    ("!!! ... ,;", "no_words"),
    ("🎉🎉", "no_words"),
    ("-", "no_words"),
    ("^:", "no_words"),
    ("a" * 201, "too_long"),
    ("dân vận " * 1250, "too_long"),  # 10,000 characters
]


@pytest.mark.parametrize(("query", "expected"), TABLE, ids=[repr(q[:30]) for q, _ in TABLE])
def test_query_table(client, corpus, query, expected):
    response, found = hits(client, query)
    html = response.get_data(as_text=True)
    if "\x00" in query and response.status_code == 400:
        # The site-wide guard refuses NUL in any query string: a friendly 400, not a crash.
        assert "<h1>" in html
        parsed = search.parse_query(query)
        if expected == "form":
            assert parsed.problem == "empty"
        else:
            assert set(keys_of(corpus, _direct(parsed))) == expected
        return
    assert response.status_code == 200
    if expected == "form":
        assert 'id="search-page-q"' in html
        assert 'id="results-heading"' not in html
    elif expected == "too_long":
        assert "Từ khóa quá dài" in html
        assert 'id="results-heading"' not in html
        assert 'aria-invalid="true"' in html
    elif expected == "no_words":
        assert "Hãy nhập ít nhất một từ" in html
        assert 'id="results-heading"' not in html
    else:
        assert set(keys_of(corpus, found)) == expected
        if expected:
            assert f"Tìm thấy {len(expected)} bài viết" in html
        else:
            assert "Không tìm thấy bài viết nào" in html
    assert "<script>alert" not in html


def _direct(parsed):
    return [h.article.id for h in search.search(parsed).hits]


def test_table_is_large_enough():
    assert len(TABLE) >= 30


def test_article_table_survives_sql_looking_queries(client, corpus):
    hits(client, "'; DROP TABLE article; --")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == len(corpus)


# ---------------------------------------------------------------- ranking


def test_exact_diacritics_rank_first(client, corpus):
    # "bán" is in bandaugia's TITLE, "bàn" only in bangiao's body: exact still wins.
    _, found = hits(client, "bàn")
    assert keys_of(corpus, found) == ["bangiao", "bandaugia"]
    _, found = hits(client, "bán")
    assert keys_of(corpus, found) == ["bandaugia", "bangiao"]


def test_tone_placement_counts_as_exact(client, corpus):
    # hoà (old placement) and hòa (new) are the same word; hóa is another word.
    for q in ("hòa", "hoà"):
        _, found = hits(client, q)
        assert set(keys_of(corpus, found)[:2]) == {"hoagiai", "hoanhap"}
        assert set(keys_of(corpus, found)[2:]) == {"vanhoa", "thuyloi_title"}


def test_title_ranks_above_body_and_lead_above_body(client, corpus, factory):
    # thuyloi_body is the newer of the two, yet the title match comes first.
    _, found = hits(client, "thuy loi")
    assert keys_of(corpus, found) == ["thuyloi_title", "thuyloi_body"]
    cat = factory.category("Khác")
    in_body = factory.article(cat, title="Một", lead="Hai", body="<p>ngô lúa khoai</p>")
    in_lead = factory.article(
        cat, title="Ba", lead="ngô lúa khoai", body="<p>Bốn</p>", age=timedelta(days=3)
    )
    _, found = hits(client, "khoai")
    assert found == [in_lead.id, in_body.id]


def test_equal_scores_newest_first(factory, client):
    cat = factory.category()
    old = factory.article(cat, title="Tin mít", lead="x", body="<p>y</p>", age=timedelta(days=5))
    new = factory.article(cat, title="Tin mít", lead="x", body="<p>y</p>", age=timedelta(days=1))
    _, found = hits(client, "mit")
    assert found == [new.id, old.id]


# ---------------------------------------------------------------- results page


def test_results_show_title_category_time_and_marked_snippet(client, corpus):
    response, _ = hits(client, "dan van")
    html = response.get_data(as_text=True)
    assert "Phong trào <mark>Dân</mark> <mark>vận</mark> khéo" in html
    assert 'href="/category/tin-tuc"' in html and "Tin tức" in html
    assert re.search(r'<time datetime="[^"]+">\d\d:\d\d \| \d\d/\d\d/\d{4}</time>', html)
    assert '<p class="snippet">' in html and "<mark>dân</mark>" in html.lower()


def test_snippet_and_title_escape_everything_but_mark(client, corpus):
    response, found = hits(client, "script")
    html = response.get_data(as_text=True)
    assert found == [corpus["markup"]]
    assert "Cảnh giác &lt;<mark>script</mark>&gt; lừa đảo" in html
    response, _ = hits(client, "gian")
    html = response.get_data(as_text=True)
    assert "&lt;b&gt;cơ quan chức năng&lt;/b&gt;" in html
    assert "<b>cơ quan" not in html
    assert "link lạ &amp; không" in html


def test_highlight_and_snippet_units():
    terms = {"duong"}
    assert str(search.highlight("Đường <b> & đường", terms)) == (
        "<mark>Đường</mark> &lt;b&gt; &amp; <mark>đường</mark>"
    )
    words = " ".join(f"w{i}" for i in range(100)) + " Đường cuối"
    snip = str(search.snippet(words, terms, words=10))
    assert snip.startswith("… ") and "<mark>Đường</mark>" in snip
    assert str(search.snippet("", terms)) == ""


def test_pagination_20_per_page_and_total(client, factory):
    cat = factory.category()
    for i in range(25):
        factory.article(cat, title=f"Tin nông thôn mới {i}", age=timedelta(hours=i + 1))
    response, first = hits(client, "nong thon")
    assert len(first) == 20
    assert "Tìm thấy 25 bài viết" in response.get_data(as_text=True)
    assert "page=2" in response.get_data(as_text=True)
    _, second = hits(client, "nong thon", page=2)
    assert len(second) == 5 and not set(first) & set(second)
    assert hits(client, "nong thon", page=3)[0].status_code == 404
    assert hits(client, "nong thon", page="abc")[0].status_code == 404
    assert hits(client, "nong thon", page="0")[0].status_code == 200


def test_empty_search_shows_form(client):
    response = client.get("/search")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<label for="search-page-q">' in html and 'name="q"' in html
    assert 'aria-describedby="search-hint"' in html


def test_query_kept_in_form_and_noindex(client, corpus):
    html = client.get("/search?q=th%C4%83ng+b%C3%ACnh").get_data(as_text=True)
    assert 'value="thăng bình"' in html
    assert '<meta name="robots" content="noindex, follow">' in html


# ---------------------------------------------------------------- query builder


def test_parse_query_quotes_every_word():
    q = search.parse_query('NEAR("a" b*) AND -c:^d')
    assert q.ok
    assert q.folded_match() == '"near" "a" "b" "and" "c" "d"'
    assert search.parse_query("x" * 200).ok
    assert search.parse_query("x" * 201).problem == "too_long"
    assert search.parse_query(None).problem == "empty"
    assert search.parse_query("\x00\x01").problem == "empty"
    assert search.parse_query("«»—…").problem == "no_words"
    assert search.parse_query("ăn ăn ĂN").terms == ["ăn"]


def test_exact_match_only_for_words_with_marks():
    q = search.parse_query("ban hòa")
    assert q.exact_match() == '("hòa" OR "hoà")'
    assert search.parse_query("ban hoa").exact_match() is None
    assert set(search.tone_variants("người")) >= {"người"}
    assert search.tone_variants("khỏe") == ["khỏe", "khoẻ"]
    assert search.tone_variants("bàn") == ["bàn"]


def test_fast_fold_equals_fold():
    samples = [
        "Đường Thăng Bình PHỔ biến hoà hòa người Ưu ĐÃI",
        unicodedata.normalize("NFD", "Dân vận khéo ở Phú Lộc"),
        "İstanbul ǅ ﬁ Straße 12½ 🎉",
    ]
    for text in samples:
        assert search.fast_fold(text) == fold(text)


# ---------------------------------------------------------------- index in step


def found_ids(q):
    return [h.article.id for h in search.search(search.parse_query(q)).hits]


def indexed_rows():
    return db.session.scalar(sa.text(f"SELECT count(*) FROM {search.TEXT_TABLE}"))


def test_index_follows_create_edit_unpublish_delete_restore(factory, app):
    cat = factory.category()
    art = factory.article(cat, title="Khánh thành cầu treo", body="<p>Cầu dài 50 mét.</p>")
    assert found_ids("cau treo") == [art.id]

    art.title = "Khánh thành nhà văn hóa"
    art.body = "<p>Nhà rộng rãi.</p>"
    db.session.commit()
    assert found_ids("cau treo") == []
    assert found_ids("nha van hoa") == [art.id]
    assert found_ids("rong rai") == [art.id]

    art.status = ArticleStatus.DRAFT
    db.session.commit()
    assert found_ids("nha van hoa") == []
    art.status = ArticleStatus.PUBLISHED
    db.session.commit()
    assert found_ids("nha van hoa") == [art.id]

    art.status = ArticleStatus.DELETED
    db.session.commit()
    assert found_ids("nha van hoa") == []
    art.status = ArticleStatus.PUBLISHED  # restored from the trash
    db.session.commit()
    assert found_ids("nha van hoa") == [art.id]

    # A revision restore is an edit of title, lead and body.
    art.title, art.lead, art.body = "Khánh thành cầu treo", "", "<p>Cầu dài 50 mét.</p>"
    db.session.commit()
    assert found_ids("cau treo") == [art.id] and found_ids("nha van hoa") == []

    before = indexed_rows()
    db.session.delete(art)
    db.session.commit()
    assert found_ids("cau treo") == []
    assert indexed_rows() == before - 1


def test_scheduled_article_appears_when_its_time_comes(factory, app):
    now = utcnow()
    app.config["CLOCK"] = lambda: now
    art = factory.article(title="Lịch tiếp công dân tháng sau", age=-timedelta(hours=3))
    assert found_ids("tiep cong dan") == []
    app.config["CLOCK"] = lambda: now + timedelta(hours=4)
    assert found_ids("tiep cong dan") == [art.id]


def test_index_write_rolls_back_with_the_article(factory):
    cat = factory.category()
    before = indexed_rows()
    db.session.add(
        Article(
            title="Không bao giờ lưu",
            slug="khong",
            category=cat,
            status=ArticleStatus.PUBLISHED,
            published_at=utcnow() - timedelta(hours=1),
        )
    )
    db.session.flush()
    assert indexed_rows() == before + 1
    db.session.rollback()
    assert indexed_rows() == before
    assert found_ids("khong bao gio") == []


def test_view_count_updates_do_not_touch_the_index(factory):
    art = factory.article(title="Tin nóng")
    rowid = db.session.scalar(sa.text(f"SELECT max(rowid) FROM {search.TEXT_TABLE}"))
    art.view_count += 5
    db.session.commit()
    assert db.session.scalar(sa.text(f"SELECT max(rowid) FROM {search.TEXT_TABLE}")) == rowid
    assert found_ids("tin nong") == [art.id]


def test_reindex_command_picks_up_bulk_inserts(factory, runner):
    cat = factory.category()
    factory.article(cat, title="Bài qua ORM")
    now = utcnow()
    row = {
        "title": "Bài chèn hàng loạt",
        "slug": "bai-chen",
        "category_id": cat.id,
        "author_name": "",
        "lead": "",
        "body": "<p>Đê điều</p>",
        "status": ArticleStatus.PUBLISHED.name,
        "published_at": now - timedelta(hours=1),
        "created_at": now,
        "updated_at": now,
        "featured": False,
        "allow_comments": True,
        "view_count": 0,
        "comment_count": 0,
        "version": 1,
    }
    db.session.execute(sa.insert(Article.__table__), [row])
    db.session.commit()
    assert found_ids("de dieu") == []  # Core bypasses the ORM events
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "2 articles" in result.output
    assert len(found_ids("de dieu")) == 1
    assert len(found_ids("bai qua orm")) == 1
    assert indexed_rows() == 2


def test_migration_created_the_search_tables(app):
    names = set(sa.inspect(db.engine).get_table_names())
    assert {search.FOLDED_TABLE, search.TEXT_TABLE} <= names
    assert search.is_search_table("article_search_data")
    assert not search.is_search_table("article")


# ---------------------------------------------------------------- bounded work at scale


def _ids_over_pages(q, per_page):
    """Every result of a query, page after page, straight from bantin.search."""
    query = search.parse_query(q)
    first = search.search(query, 1, per_page)
    ids = [h.article.id for h in first.hits]
    for page in range(2, first.pages + 1):
        ids += [h.article.id for h in search.search(query, page, per_page).hits]
    return first, ids


def test_capped_total_shows_plus_and_stops_the_pages(client, factory, monkeypatch):
    monkeypatch.setattr(search.ranking, "MAX_RESULTS", 5)
    cat = factory.category()
    made = [
        factory.article(cat, title=f"Chợ phiên vùng cao {i}", age=timedelta(hours=i + 1)).id
        for i in range(8)
    ]
    response, found = hits(client, "cho phien")
    html = response.get_data(as_text=True)
    assert "Tìm thấy 5+ bài viết" in html
    assert len(found) == 5 and set(found) <= set(made)
    first, ids = _ids_over_pages("cho phien", per_page=2)
    assert (first.total, first.capped, first.pages) == (5, True, 3)
    # The window is the newest matches (highest ids), ranked; each shown once.
    assert sorted(ids) == sorted(made)[-5:]
    assert search.search(search.parse_query("cho phien"), 4, 2).hits == []
    assert hits(client, "cho phien", page=2)[0].status_code == 404
    monkeypatch.setattr(search.ranking, "MAX_RESULTS", 8)
    cache.clear()  # pages are cached per content version; this setting is not content
    assert "Tìm thấy 8 bài viết" in hits(client, "cho phien")[0].get_data(as_text=True)


def test_pages_run_from_the_exact_tier_into_the_folded_one(factory, monkeypatch):
    cat = factory.category()
    exact = {
        factory.article(cat, title=f"Bàn giao nhà số {i}", age=timedelta(hours=i + 1)).id
        for i in range(3)
    }
    folded = {
        factory.article(cat, title=f"{w} hàng số {i}", age=timedelta(hours=i + 10)).id
        for i, w in enumerate(["Bán", "Bản", "Bạn", "Ban"])
    }
    for per_page in (1, 2, 3, 4, 20):
        first, ids = _ids_over_pages("bàn", per_page)
        assert first.total == 7 and not first.capped
        assert set(ids[:3]) == exact and set(ids[3:]) == folded and len(ids) == 7
    # With a window smaller than the matches: the newest of each tier, still no repeats.
    monkeypatch.setattr(search.ranking, "MAX_RESULTS", 5)
    first, ids = _ids_over_pages("bàn", per_page=2)
    assert first.capped and len(ids) == len(set(ids)) == 5
    assert set(ids[:3]) == exact and set(ids[3:]) <= folded


def test_exact_tier_is_the_query_as_typed(factory):
    cat = factory.category()
    literal = factory.article(cat, title="Ban hòa giải cơ sở", age=timedelta(hours=5))
    other = factory.article(cat, title="Bán hoa ngày Tết", age=timedelta(hours=1))
    # "ban" without marks next to "hòa" with them: the words as typed come first.
    assert found_ids("ban hòa") == [literal.id, other.id]
    assert set(found_ids("ban hoa")) == {literal.id, other.id}


def test_scheduled_matches_are_not_counted(client, factory, app):
    now = utcnow()
    app.config["CLOCK"] = lambda: now
    cat = factory.category()
    factory.article(cat, title="Lịch tiếp dân quý một", age=timedelta(days=2))
    later = factory.article(cat, title="Lịch tiếp dân quý hai", age=-timedelta(hours=3))
    response, found = hits(client, "lich tiep dan")
    assert len(found) == 1 and "Tìm thấy 1 bài viết" in response.get_data(as_text=True)
    # The cached page expires when the scheduled article falls due.
    app.config["CLOCK"] = lambda: now + timedelta(hours=4)
    response, found = hits(client, "lich tiep dan")
    assert found[0] == later.id and "Tìm thấy 2 bài viết" in response.get_data(as_text=True)


def test_cached_results_follow_every_edit(client, factory):
    cat = factory.category()
    art = factory.article(cat, title="Khánh thành cầu treo")
    assert hits(client, "cau treo")[1] == [art.id]
    assert hits(client, "cau treo")[1] == [art.id]  # served from the cache
    art.title = "Khánh thành nhà văn hóa"
    db.session.commit()
    assert hits(client, "cau treo")[1] == []
    assert hits(client, "nha van hoa")[1] == [art.id]
    art.status = ArticleStatus.DELETED
    db.session.commit()
    assert hits(client, "nha van hoa")[1] == []


def test_only_published_articles_are_indexed(factory):
    cat = factory.category()
    draft = factory.article(cat, title="Dự thảo quy chế", published=False)
    rows = lambda: set(db.session.scalars(sa.text(f"SELECT rowid FROM {search.TEXT_TABLE}")))  # noqa: E731
    assert draft.id not in rows()
    draft.status = ArticleStatus.PUBLISHED
    draft.published_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert draft.id in rows() and found_ids("du thao") == [draft.id]
    draft.status = ArticleStatus.DELETED
    db.session.commit()
    assert draft.id not in rows() and found_ids("du thao") == []


def _vocabulary(table):
    """Every indexed word with its row and place: FTS5's vocabulary, or on PostgreSQL the
    tsvector of each row (words, positions and weights)."""
    if db.engine.dialect.name == "postgresql":
        column = "exact" if table == search.TEXT_TABLE else "folded"
        return db.session.execute(
            sa.text(f"SELECT rowid, CAST({column} AS text) FROM {table} ORDER BY rowid")
        ).all()
    db.session.execute(
        sa.text(f"CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, {table}, 'instance')")
    )
    rows = db.session.execute(sa.text("SELECT term, doc, col, offset FROM temp.v")).all()
    db.session.execute(sa.text("DROP TABLE temp.v"))
    return sorted(rows)


def test_reindex_builds_what_the_writes_built(factory, corpus):
    cat = factory.category()
    art = factory.article(cat, title="Đê điều <b>mùa</b> lũ", body="<p>Gia cố &amp; đê.</p>")
    art.body = "<p>Đê <em>bao</em> được gia cố.</p><!-- ghi chú -->"
    db.session.commit()
    queries = ["dan van", "duong", "hòa", "bàn", "de dieu", "gia co", "tin", "script"]
    before = {q: found_ids(q) for q in queries}
    vocab = {t: _vocabulary(t) for t in (search.TEXT_TABLE, search.FOLDED_TABLE)}
    texts = db.session.execute(sa.text(f"SELECT rowid, * FROM {search.TEXT_TABLE}")).all()
    assert search.reindex() == len(CORPUS) + 2  # the scheduled one is indexed too
    assert {q: found_ids(q) for q in queries} == before
    assert {t: _vocabulary(t) for t in vocab} == vocab
    assert db.session.execute(sa.text(f"SELECT rowid, * FROM {search.TEXT_TABLE}")).all() == texts


@pytest.mark.parametrize(
    "html",
    [
        *(body for _, _, body in CORPUS.values()),
        "<p>Một</p><p>Hai<br>ba</p><ul><li>bốn</li><li>năm</li></ul>",
        '<p>Chữ <strong>đậm</strong>, <em>nghiêng</em>, <a href="/x?a=1&amp;b=2">liên kết</a>.</p>',
        '<figure><img src="/a.jpg" alt="a > b"><figcaption>Ảnh: UBND xã</figcaption></figure>',
        "<p>A&nbsp;B &lt;c&gt; &quot;d&quot; &#273;&#x1EA1;i</p><!-- <p>ẩn</p> -->",
        "<table><tr><td>ô 1</td><td>ô 2</td></tr></table>",
        unicodedata.normalize("NFD", "<p>Dân vận khéo</p>"),
        "",
    ],
)
def test_plain_text_has_the_words_of_html_to_text(html):
    from bantin.sanitize import html_to_text

    plain = search.plain_text(html)
    assert " ".join(plain.split()) == unicodedata.normalize("NFC", html_to_text(html))
    assert plain == unicodedata.normalize("NFC", plain) and plain == plain.strip()


def test_snippet_finds_words_deep_in_the_body(factory, client):
    filler = " ".join(f"chữ{i}" for i in range(400))
    art = factory.article(
        title="Tin tổng hợp", lead="Tóm tắt.", body=f"<p>{filler} Gia cố đê điều trước mùa mưa.</p>"
    )
    response, found = hits(client, "de dieu")
    html = response.get_data(as_text=True)
    assert found == [art.id]
    assert re.search(
        r'<p class="snippet">… [^<]*chữ\d+ Gia cố <mark>đê</mark> <mark>điều</mark>', html
    )


def test_snippet_picks_the_place_with_most_query_words():
    text = "Mưa to ở đầu bài. " + "chữ " * 100 + "Mưa lũ gây ngập. " + "chữ " * 100
    snip = str(search.snippet(text, {"mua", "lu"}, words=10))
    assert "<mark>Mưa</mark> <mark>lũ</mark>" in snip and snip.startswith("… ")
    assert str(search.snippet("không có từ nào khớp ở đây", {"xyz"}, words=4)) == (
        "không có từ nào …"
    )
    # Beyond the scanned prefix nothing is looked for: the snippet is the start of the text.
    far = "Mở đầu. " + "x " * (search.SNIPPET_SCAN_CHARS // 2) + "đê điều"
    assert str(search.snippet(far[: search.SNIPPET_SCAN_CHARS], {"de"}, words=3)) == "Mở đầu. x …"


def test_search_statements_use_the_full_text_index_only(corpus):
    """No statement scans the article table: FTS5 walks its index, newest first."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("FTS5's query plans (PostgreSQL's: tests/test_search_postgresql.py)")
    query = search.parse_query("mưa lũ")
    params = {
        "match": query.folded_match(),
        "exact": query.typed_match(),
        "now": utcnow().isoformat(" "),
        "published": ArticleStatus.PUBLISHED.name,
        "window": 10,
        "cap": 11,
        "limit": 20,
        "offset": 0,
    }
    for kind, table in [
        ("count", search.FOLDED_TABLE),
        ("ranked", search.FOLDED_TABLE),
        ("ranked", search.TEXT_TABLE),
        ("rest", search.FOLDED_TABLE),
    ]:
        sql = str(search.ranking._statement(kind, table))
        plan = [
            row[3]
            for row in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
        ]
        assert any("VIRTUAL TABLE INDEX" in line for line in plan), plan
        assert not any(
            line.startswith("SCAN article ") or line == "SCAN article" for line in plan
        ), plan
        if kind != "count":
            # bm25 for the newest window only: FTS5 delivers it in descending rowid order.
            assert any(line.startswith(f"SCAN {table} VIRTUAL TABLE INDEX 192:") for line in plan)
