"""The body inventory: images, attachments and tables read from canonical body HTML."""

import pytest

from bantin import body_inventory as inv
from bantin.sanitize import clean_html

IMG_A = "/uploads/2026/01/aaaaaaaaaaaaaaaa-800.jpg"
IMG_B = "/uploads/2026/01/bbbbbbbbbbbbbbbb-800.png"
PDF = "/uploads/files/2026/12/3f9c0000000000000000000000000000.pdf"
DOCX = "/uploads/files/2026/12/4e8d0000000000000000000000000000.docx"


def figure(src: str, alt: str | None = "Mô tả", caption: str = "") -> str:
    alt_attr = "" if alt is None else f' alt="{alt}"'
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure><img src="{src}"{alt_attr} width="800" height="533">{cap}</figure>'


def attachment(href: str, name: str, kind: str = "pdf", size: int = 245760) -> str:
    return (
        f'<div class="file-attachment"><a href="{href}" data-type="{kind}" data-size="{size}">'
        f'{name}</a><span class="file-meta">{kind.upper()}, 240 KB</span></div>'
    )


TABLE = "<table><tbody><tr><td><p>a</p></td><td><p>b</p></td></tr></tbody></table>"


def test_reads_images_attachments_and_tables_in_order():
    body = (
        "<p>Mở đầu</p>"
        + figure(IMG_A, alt=None, caption="Lễ khai giảng &amp; chào cờ")
        + TABLE
        + attachment(PDF, "Quyết định số 15.pdf")
        + figure(IMG_B, alt="")
        + TABLE
    )
    assert clean_html(body) == body  # canonical input
    result = inv.inventory(body)
    assert [i.src for i in result.images] == [IMG_A, IMG_B]
    first, second = result.images
    assert first.alt is None and first.caption == "Lễ khai giảng & chào cờ"
    assert second.alt == "" and second.caption == ""
    assert result.attachments == (
        inv.BodyAttachment(href=PDF, name="Quyết định số 15.pdf", type="pdf", size=245760),
    )
    assert result.tables == 2
    assert result.images_without_alt == [first]


@pytest.mark.parametrize(
    ("html", "label"),
    [
        (figure(IMG_A, alt="Ảnh đẹp", caption="Chú thích"), "Chú thích"),
        (figure(IMG_A, alt="Ảnh đẹp"), "Ảnh đẹp"),
        (figure(IMG_A, alt=None), "aaaaaaaaaaaaaaaa-800.jpg"),
        (figure(IMG_A, alt=""), "aaaaaaaaaaaaaaaa-800.jpg"),
    ],
)
def test_an_image_is_named_by_caption_then_alt_then_file_name(html, label):
    assert inv.inventory(html).images[0].label == label


def test_alt_without_value_is_decorative_not_missing():
    assert inv.inventory(f'<figure><img src="{IMG_A}" alt></figure>').images[0].alt == ""


def test_first_image_src():
    assert inv.first_image_src("") is None
    assert inv.first_image_src("<p>Chỉ có chữ</p>" + TABLE) is None
    assert inv.first_image_src("<p>x</p>" + figure(IMG_B) + figure(IMG_A)) == IMG_B
    # Older markup: an image outside any figure still counts.
    assert inv.first_image_src(f'<p>Ảnh <img src="{IMG_A}"></p>') == IMG_A


def test_attachment_without_size_or_name():
    html = f'<div class="file-attachment"><a href="{DOCX}" data-type="docx"></a></div>'
    (item,) = inv.inventory(html).attachments
    assert item.size is None and item.name == "" and item.label.endswith(".docx")
    # A link elsewhere is not an attachment.
    assert inv.inventory(f'<p><a href="{PDF}">tệp</a></p>').attachments == ()


def test_compare_lists_added_and_removed_by_src_href_and_table_count():
    old = figure(IMG_A, caption="Ảnh một") + figure(IMG_B) + attachment(PDF, "QĐ.pdf") + TABLE
    new = figure(IMG_B) + attachment(DOCX, "Kế hoạch.docx", "docx") + TABLE + TABLE
    changes = inv.compare(old, new)
    assert [i.label for i in changes.images_removed] == ["Ảnh một"]
    assert changes.images_added == []
    assert [a.label for a in changes.attachments_removed] == ["QĐ.pdf"]
    assert [a.label for a in changes.attachments_added] == ["Kế hoạch.docx"]
    assert (changes.tables_before, changes.tables_after) == (1, 2)
    assert changes.tables_added == 1 and changes.tables_removed == 0
    assert changes


def test_compare_counts_repeats_and_ignores_text():
    same = inv.compare(figure(IMG_A) + "<p>một</p>", "<p>hai</p>" + figure(IMG_A))
    assert not same
    twice = figure(IMG_A) + figure(IMG_A, caption="lần hai")
    assert [i.src for i in inv.compare(twice, figure(IMG_A)).images_removed] == [IMG_A]


def test_unclosed_markup_does_not_lose_items():
    result = inv.inventory(f'<figure><img src="{IMG_A}" alt="x"><figcaption>Chưa đóng')
    assert result.images[0].caption == "Chưa đóng"
    result = inv.inventory(f'<div class="file-attachment"><a href="{PDF}" data-size="9">Tệp')
    assert result.attachments[0].name == "Tệp" and result.attachments[0].size == 9
