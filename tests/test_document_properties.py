"""Property tests of the sanitiser: any input gives canonical, allow-listed HTML, and cleaning
canonical HTML changes nothing (the editor's reload-and-save relies on that)."""

import html
from collections import Counter
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bantin import document
from bantin.document import ALIGN_CLASSES, ATTACHMENT_TYPES
from bantin.sanitize import clean_html, html_to_text, is_upload_url

CI_SETTINGS = settings(
    max_examples=600,
    deadline=None,
    derandomize=True,  # the same examples on every run: a deterministic suite
    suppress_health_check=[HealthCheck.too_slow],
)

WORDS = [
    "Việt",
    "Nam",
    "xã",
    "Đông",
    "ủy ban",
    "a&b",
    "1<2",
    'nói "có"',
    "tỉnh",
    "  ",
    "\u00a0",
    "\n",
]
text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)

ANY_TAGS = [
    "p",
    "div",
    "span",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "del",
    "strike",
    "sub",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "caption",
    "figure",
    "figcaption",
    "section",
    "font",
    "o:p",
    "script",
    "style",
    "iframe",
    "svg",
    "center",
    "pre",
    "button",
]
ATTRS = st.sampled_from(
    [
        "",
        ' class="text-center"',
        ' class="MsoNormal text-right"',
        ' class="file-attachment"',
        ' style="color:red;text-align:center"',
        ' href="https://chinhphu.vn/a?b=1&amp;c=2"',
        ' href="javascript:alert(1)"',
        ' href="/article/1/a"',
        ' href="//evil.example"',
        ' href="#muc-1"',
        ' href="mailto:ubnd@example.vn"',
        ' onclick="x()"',
        ' colspan="2"',
        ' rowspan="3"',
        ' colspan="0"',
        ' rowspan="999"',
        ' align="center"',
        ' lang="vi"',
        ' data-type="pdf" data-size="1310720"',
        ' href="/uploads/files/2026/12/ab12.pdf"',
        ' id="x"',
        ' title="t"',
    ]
)
IMAGES = st.sampled_from(
    [
        '<img src="/uploads/2026/12/ab12-800.jpg" alt="Ảnh" width="800" height="600">',
        '<img src="/uploads/2026/12/ab12-800.jpg" srcset="/uploads/2026/12/ab12-320.jpg 320w, '
        'javascript:x 800w">',
        '<img src="https://evil.example/p.gif">',
        '<img src="data:image/png;base64,AAAA" alt="x">',
        '<img src="/uploads/a-800.jpg" alt="">',
        "<br>",
        "<hr>",
        "<br/>",
        "&nbsp;",
        "<!-- c -->",
    ]
)


def _element(children):
    return st.tuples(st.sampled_from(ANY_TAGS), ATTRS, children).map(
        lambda t: f"<{t[0]}{t[1]}>{t[2]}</{t[0]}>"
    )


fragment = st.recursive(
    st.one_of(text.map(html.escape), IMAGES),
    lambda children: st.lists(st.one_of(children, _element(children)), max_size=4).map("".join),
    max_leaves=25,
)

SCHEMA = document.SCHEMA


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in SCHEMA:
            self.problems.append(f"tag {tag}")
            return
        for name, value in attrs:
            if name not in SCHEMA[tag]:
                self.problems.append(f"{tag}[{name}]")
            elif name == "class":
                allowed = {"div": {"file-attachment"}, "span": {"file-meta"}}.get(
                    tag, ALIGN_CLASSES
                )
                if value not in allowed:
                    self.problems.append(f"{tag}.{value}")
            elif name == "href" and (
                not value.startswith(("https://", "http://", "mailto:", "/", "#"))
                or value.startswith("//")
            ):
                self.problems.append(f"href {value}")
            elif name == "src" and not is_upload_url(value):
                self.problems.append(f"src {value}")
            elif name == "rel" and value != "noopener noreferrer":
                self.problems.append(f"rel {value}")
            elif name == "data-type" and value not in ATTACHMENT_TYPES:
                self.problems.append(f"data-type {value}")
            elif name in {"width", "height", "colspan", "rowspan", "data-size"} and not (
                value.isdigit()
            ):
                self.problems.append(f"{name} {value}")


def _problems(markup: str) -> list[str]:
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    return checker.problems


@CI_SETTINGS
@given(fragment)
def test_clean_is_idempotent_and_only_allow_listed(markup):
    once = clean_html(markup)
    assert clean_html(once) == once
    assert _problems(once) == []
    assert "\u00a0" not in once and "&nbsp;" not in once


# Tags that carry text and are never dropped with their content: no character may get lost.
TEXT_TAGS = [
    "p",
    "div",
    "span",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h1",
    "h3",
    "h5",
    "section",
    "font",
    "table",
    "tr",
    "td",
    "th",
]
text_fragment = st.recursive(
    text.map(html.escape),
    lambda children: st.lists(
        st.one_of(
            children,
            st.tuples(
                st.sampled_from(TEXT_TAGS), ATTRS.filter(lambda a: "file" not in a), children
            ).map(lambda t: f"<{t[0]}{t[1]}>{t[2]}</{t[0]}>"),
        ),
        max_size=4,
    ).map("".join),
    max_leaves=20,
)


def _letters(value: str) -> Counter:
    return Counter(ch for ch in value if not ch.isspace() and ch != "\u00a0")


@CI_SETTINGS
@given(text_fragment)
def test_no_word_is_lost(markup):
    source_text = html_to_text(markup)
    assert _letters(html_to_text(clean_html(markup))) == _letters(source_text)
