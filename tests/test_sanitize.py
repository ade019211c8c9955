"""The article HTML sanitiser: hostile payloads lose their teeth, news markup survives."""

import html
import json
import re

import pytest

from bantin.sanitize import clean_html, html_to_text, is_upload_url

# (payload, substrings that must NOT appear in the output (case-insensitive), must appear)
HOSTILE = [
    ("<script>alert(1)</script><p>ok</p>", ["<script", "alert"], ["<p>ok</p>"]),
    ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>ok", ["script", "evil"], ["ok"]),
    ('<img src="/uploads/a/b-800.jpg" onerror="alert(1)">', ["onerror", "alert"], ["<img"]),
    ('<p onclick="alert(1)" onmouseover="x()">hi</p>', ["onclick", "onmouseover"], ["<p>hi</p>"]),
    ('<a href="javascript:alert(1)">x</a>', ["javascript", "href"], ["x"]),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript", "href"], ["x"]),
    ('<a href="&#106;&#97;vascript:alert(1)">x</a>', ["vascript", "href"], ["x"]),
    ('<a href="&#x6A;avascript&#x3A;alert(1)">x</a>', ["vascript", "href"], ["x"]),
    ('<a href="java\tscript:alert(1)">x</a>', ["script", "href"], ["x"]),
    ('<a href=" javascript:alert(1)">x</a>', ["javascript", "href"], ["x"]),
    ('<a href="vbscript:msgbox(1)">x</a>', ["vbscript", "href"], ["x"]),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', ["data:", "href"], ["x"]),
    ('<img src="data:image/png;base64,iVBORw0KGgo=">', ["data:", "<img"], []),
    ('<img src="https://tracker.example/p.gif">', ["tracker", "<img"], []),
    ('<img src="/uploads/../instance/secret_key">', ["secret_key", "<img"], []),
    ('<p style="background:url(javascript:alert(1))">s</p>', ["style", "javascript"], ["s"]),
    ("<style>body{display:none}</style><p>t</p>", ["<style", "display"], ["<p>t</p>"]),
    ('<iframe src="https://evil.example"></iframe>f', ["iframe", "evil"], ["f"]),
    ('<object data="x.swf"></object><embed src="y.swf">o', ["object", "embed", "swf"], ["o"]),
    ('<svg onload="alert(1)"><circle r="1"/></svg>s', ["svg", "onload", "alert"], ["s"]),
    (
        "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
        ["onerror", "alert", "<style"],
        [],
    ),
    (
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        ["onerror", "alert", "<math", "<style"],
        [],
    ),
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>">', ["onerror", "alert"], []),
    ('<form action="/x"><input name="q"><button>b</button></form>', ["<form", "<input"], []),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example">', ["meta", "evil"], []),
    ('<base href="https://evil.example/">', ["<base", "evil"], []),
    ('<div id="x" class="y" data-x="1">d</div>', ["id=", "class=", "data-x"], ["d"]),
    ("<p>a<!-- secret comment --></p>", ["<!--", "secret"], ["<p>a</p>"]),
    ('<a href="https://example.org" target="_blank">t</a>', ["target"], ["https://example.org"]),
    ('<td colspan="99999999" rowspan="x">c</td>', ["99999999", "rowspan"], []),
    ("<p>\x00nul\x07bell</p>", ["\x00", "\x07"], ["nulbell"]),
    ("<<script>script>alert(1)<</script>/script>", ["<script"], []),
]


@pytest.mark.parametrize(("payload", "forbidden", "required"), HOSTILE)
def test_hostile_markup_is_defused(payload, forbidden, required):
    out = clean_html(payload)
    lowered = out.lower()
    for needle in forbidden:
        assert needle.lower() not in lowered, (payload, out)
    for needle in required:
        assert needle in out, (payload, out)
    # Idempotent: the stored copy sanitises to itself.
    assert clean_html(out) == out


def test_only_allowlisted_tags_ever_come_out():
    everything = "".join(p for p, _, _ in HOSTILE)
    out = clean_html(everything)
    tags = set(re.findall(r"</?([a-z0-9]+)", out))
    assert tags <= {
        "p", "br", "hr", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "del", "sub",
        "sup", "a", "ul", "ol", "li", "blockquote", "figure", "figcaption", "img", "table",
        "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "div",
    }  # fmt: skip


@pytest.mark.parametrize(
    "markup",
    [
        "<p><strong>Đậm</strong> <em>nghiêng</em> <u>gạch</u> <s>xóa</s></p>",
        "<h2>Mục</h2><h3>Tiểu mục</h3><h4>Nhỏ</h4>",
        "<ul><li><p>một</p></li><li><p>hai</p></li></ul><ol><li><p>ba</p></li></ol>",
        "<blockquote><p>Trích dẫn</p></blockquote>",
        '<figure><img src="/uploads/2024/05/ab12-800.jpg" alt="Ảnh" width="800" height="600">'
        "<figcaption>Chú thích</figcaption></figure>",
        "<table><thead><tr><th><p>A</p></th></tr></thead><tbody><tr><td><p>1</p></td></tr></tbody>"
        "</table>",
        "<p>dòng<br>mới</p><hr>",
        '<p><a href="/article/5/bai-viet">bài trong trang</a></p>',
        '<p><a href="mailto:ubnd@example.vn">thư</a></p>',
    ],
)
def test_news_markup_survives_unchanged(markup):
    assert clean_html(markup) == markup


def test_external_links_get_rel_and_internal_ones_do_not():
    out = clean_html(
        '<p><a href="https://chinhphu.vn/x?a=1&amp;b=2">ngoài</a> '
        '<a href="//cdn.example/x">giao thức tương đối</a> '
        '<a href="/category/tin-tuc">trong</a> <a href="#muc-2">neo</a></p>'
    )
    assert '<a href="https://chinhphu.vn/x?a=1&amp;b=2" rel="noopener noreferrer">ngoài</a>' in out
    # Protocol-relative addresses are not links of the schema: the words stay, the link goes.
    assert '<a href="//cdn' not in out and "giao thức tương đối" in out
    assert '<a href="/category/tin-tuc">trong</a>' in out
    assert '<a href="#muc-2">neo</a>' in out


def test_rel_cannot_be_smuggled_or_duplicated():
    out = clean_html('<a rel="opener" title="t" href="https://example.org">x</a>')
    assert out == '<p><a href="https://example.org" rel="noopener noreferrer">x</a></p>'


def test_headings_stay_within_h2_to_h4():
    assert clean_html("<h1>A</h1><h5>B</h5><h6>C</h6>") == "<h2>A</h2><h4>B</h4><h4>C</h4>"


WORD_PASTE = """<html xmlns:o="urn:schemas-microsoft-com:office:office">
<head><meta name=Generator content="Microsoft Word 15"><title>Doc</title>
<!--[if gte mso 9]><xml><o:DocumentProperties><o:Author>Nguyen</o:Author>
</o:DocumentProperties></xml><![endif]-->
<style><!-- p.MsoNormal {margin:0cm; font-size:12.0pt;} --></style></head>
<body lang=VI style='tab-interval:36.0pt'>
<p class=MsoNormal style='margin-bottom:6.0pt;text-align:justify'><b><span lang=VI
style='font-size:13.0pt;font-family:"Times New Roman",serif'>Ủy ban nhân dân xã</span></b>
<span lang=VI style='font-size:13.0pt'> thông báo lịch tiếp dân.<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpFirst style='mso-list:l0 level1 lfo1'><![if !supportLists]><span
style='font-family:Symbol'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;
</span></span><![endif]><span lang=VI>Thứ Hai hằng tuần<o:p></o:p></span></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
</body></html>"""


def test_word_paste_comes_out_clean():
    out = clean_html(WORD_PASTE)
    lowered = out.lower()
    for junk in ("mso", "class", "style", "lang=", "<o:", "<span", "<xml", "[if", "nguyen", "doc"):
        assert junk not in lowered, (junk, out)
    assert "<p><strong>Ủy ban nhân dân xã</strong>" in out
    assert "thông báo lịch tiếp dân." in out
    assert "Thứ Hai hằng tuần" in out
    assert "<p></p>" not in out and not out.endswith("<p>\u00a0</p>")


def _trix_figure(attachment: dict, attributes: dict | None = None, inner: str = "") -> str:
    data = html.escape(json.dumps(attachment), quote=True)
    attrs = html.escape(json.dumps(attributes or {}), quote=True)
    return (
        f'<figure data-trix-attachment="{data}" data-trix-content-type="image/jpeg" '
        f'data-trix-attributes="{attrs}" class="attachment attachment--preview '
        f'attachment--jpg">{inner}</figure>'
    )


def test_trix_attachment_becomes_a_clean_figure_with_caption():
    url = "/uploads/2024/05/0a1b2c3d4e5f6a7b-800.jpg"
    markup = "<div>Trước ảnh</div>" + _trix_figure(
        {
            "contentType": "image/jpeg",
            "filename": "anh.jpg",
            "filesize": 12345,
            "width": 800,
            "height": 533,
            "url": url,
            "href": url,
        },
        {"caption": "Lễ khai giảng > năm học <mới>", "presentation": "gallery"},
        f'<a href="{url}"><img src="{url}" width="800" height="533">'
        '<figcaption class="attachment__caption attachment__caption--edited">Lễ khai giảng'
        "</figcaption></a>",
    )
    out = clean_html(markup)
    assert out == (
        "<p>Trước ảnh</p>"
        f'<figure><img src="{url}" alt="Lễ khai giảng &gt; năm học &lt;mới&gt;" width="800"'
        ' height="533"><figcaption>Lễ khai giảng &gt; năm học &lt;mới&gt;</figcaption></figure>'
    )


def test_trix_attachment_without_caption_has_no_file_name_caption():
    url = "/uploads/2024/05/ffff0000ffff0000-800.png"
    out = clean_html(
        _trix_figure(
            {"contentType": "image/png", "url": url, "width": 10, "height": 10},
            {},
            '<img src="x"><figcaption class="attachment__caption"><span class="attachment__name">'
            "IMG_2024.png</span> <span>12 KB</span></figcaption>",
        )
    )
    assert out == f'<figure><img src="{url}" alt="" width="10" height="10"></figure>'


@pytest.mark.parametrize(
    "attachment",
    [
        {"contentType": "image/jpeg"},  # upload never finished: no url
        {"contentType": "image/jpeg", "url": "blob:http://127.0.0.1/abc"},
        {"contentType": "image/jpeg", "url": "https://evil.example/x.jpg"},
        {"contentType": "image/jpeg", "url": "javascript:alert(1)"},
        {"contentType": "application/pdf", "url": "/uploads/2024/05/a-800.pdf"},
        {"contentType": "image/jpeg", "url": "/uploads/../../etc/passwd"},
    ],
)
def test_trix_attachments_that_are_not_our_images_are_dropped(attachment):
    out = clean_html("<div>a</div>" + _trix_figure(attachment, {"caption": "c"}, "<img src=x>"))
    assert out == "<p>a</p>"


def test_trix_attachment_json_cannot_inject_attributes():
    url = '/uploads/2024/05/a-800.jpg" onerror="alert(1)'
    out = clean_html(_trix_figure({"contentType": "image/jpeg", "url": url, "width": "1 x"}))
    assert out == ""


def test_trix_paragraph_divs_become_paragraphs():
    out = clean_html(
        "<div>Một<br>dòng</div><div><br></div><div>Hai</div><div><ul><li>x</li></ul></div>"
    )
    assert out == "<p>Một<br>dòng</p><p>Hai</p><ul><li><p>x</p></li></ul>"


def test_text_is_nfc_normalised():
    decomposed = "Vie\u0302\u0323t Nam"  # e + circumflex + dot below, decomposed
    assert clean_html(f"<p>{decomposed}</p>") == "<p>Việt Nam</p>"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("/uploads/2024/05/a-800.jpg", True),
        ("/uploads/a.png", True),
        ("/uploads/../secret", False),
        ("/uploads/%2e%2e/secret", False),
        ("/uploads//evil", False),
        ("//evil.example/uploads/a.jpg", False),
        ("https://example.org/uploads/a.jpg", False),
        ("/static/a.jpg", False),
        ("/uploads\\..\\x", False),
        ("/uploads/a.jpg?x=1", False),
        ("", False),
        (None, False),
    ],
)
def test_is_upload_url(url, ok):
    assert is_upload_url(url) is ok


def test_html_to_text():
    assert html_to_text("<p>A&amp;B</p><p>C <strong>D</strong></p>") == "A&B C D"


def test_trix_paragraph_holding_an_image_is_split_around_the_figure():
    url = "/uploads/2024/05/0a1b2c3d4e5f6a7b-800.jpg"
    figure = _trix_figure({"contentType": "image/jpeg", "url": url}, {"caption": "Ảnh"})
    out = clean_html(f"<div>Trước&nbsp;ảnh<br>{figure}<br>Sau ảnh</div>")
    assert out == (
        "<p>Trước ảnh</p>"
        f'<figure><img src="{url}" alt="Ảnh"><figcaption>Ảnh</figcaption></figure>'
        "<p>Sau ảnh</p>"
    )
