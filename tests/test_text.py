"""Vietnamese text handling: NFC, slugs, folding."""

import unicodedata

import pytest

from bantin.text import clean_line, fold, has_control_chars, nfc, slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Chú trọng đẩy mạnh công tác dân vận", "chu-trong-day-manh-cong-tac-dan-van"),
        ("Đường giao thông nông thôn", "duong-giao-thong-nong-thon"),
        ("ĐẠI HỘI Đoàn xã", "dai-hoi-doan-xa"),
        ("Thăng Bình: mùa lúa mới!", "thang-binh-mua-lua-moi"),
        ("Phổ biến pháp luật 2024", "pho-bien-phap-luat-2024"),
        ("   ", "bai-viet"),
        ("???", "bai-viet"),
    ],
)
def test_slugify_vietnamese(title, slug):
    assert slugify(title) == slug


def test_slugify_decomposed_input_gives_same_slug():
    decomposed = unicodedata.normalize("NFD", "Dân vận khéo")
    assert slugify(decomposed) == slugify("Dân vận khéo") == "dan-van-kheo"


def test_slugify_keeps_whole_words_within_limit():
    slug = slugify("Hội nghị tổng kết công tác dân vận năm hai nghìn hai mươi tư", max_length=30)
    assert len(slug) <= 30
    assert not slug.endswith("-")
    assert slug.startswith("hoi-nghi-tong-ket")


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Dân vận khéo", "dan van kheo"),
        ("đường Đường", "duong duong"),
        ("Thăng Bình", "thang binh"),
        ("Phổ", "pho"),
        ("hoà", "hoa"),
        ("hòa", "hoa"),
        ("ƯỚC MƠ", "uoc mo"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded
    assert fold(unicodedata.normalize("NFD", text)) == folded


def test_nfc_and_clean_line():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hòa")
    assert decomposed != "Nguyễn Thị Hòa"
    assert nfc(decomposed) == "Nguyễn Thị Hòa"
    assert clean_line("  Nguyễn \t Thị\nHòa  ") == "Nguyễn Thị Hòa"
    assert nfc(None) == ""


@pytest.mark.parametrize(
    ("value", "bad"),
    [("ok\nline\ttab", False), ("nul\x00", True), ("bell\x07", True), ("del\x7f", True)],
)
def test_control_chars(value, bad):
    assert has_control_chars(value) is bad
