"""The sitemap lists the portal (issue 13 §1, §2): its lists, visible pages by their chain of
slugs, published documents; never drafts, the trash or pages under an unpublished parent."""

from tests.test_feeds import sitemap_urls
from tests.test_search_kinds import document, page


def test_the_sitemap_lists_visible_pages_and_published_documents_only(client):
    doc = document("12/NQ-HĐND", "Nghị quyết về kế hoạch đầu tư công")
    draft = document("13/NQ-HĐND", "Dự thảo nghị quyết", published=False)
    about = page("Gioi thieu", "<p>Giới thiệu.</p>", slug="gioi-thieu")
    page("Lanh dao", "<p>Lãnh đạo.</p>", parent=about, slug="lanh-dao")
    hidden = page("Noi bo", "<p>Nội bộ.</p>", published=False, slug="noi-bo")
    page("Con", "<p>Trang con.</p>", parent=hidden, slug="con")
    urls = set(sitemap_urls(client.get("/sitemap.xml")))
    assert {
        "http://localhost/documents",
        "http://localhost/schedule",
        "http://localhost/contacts",
        "http://localhost/page/gioi-thieu",
        "http://localhost/page/gioi-thieu/lanh-dao",
        f"http://localhost/documents/{doc.id}/{doc.slug}",
    } <= urls
    assert not [u for u in urls if "noi-bo" in u or f"/documents/{draft.id}/" in u]
