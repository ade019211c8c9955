"""Search: diacritic folding, safe queries, ranking, snippets and an index kept in step."""

import re
import unicodedata
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bantin import search
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, ArticleStatus
from bantin.text import fold

RESULT_LINK = re.compile(r'<li class="result">\s*<h3 class="card-title"><a href="/article/(\d+)/')

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
