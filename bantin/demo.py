"""Seeds the demo office: settings, categories, links, articles with generated photos."""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from markupsafe import escape
from PIL import Image, ImageDraw

from bantin import demo_content, media
from bantin.body_inventory import first_image_src
from bantin.clock import local_today, utcnow
from bantin.extensions import db
from bantin.models import (
    Article,
    ArticleDailyViews,
    ArticleStatus,
    Category,
    Comment,
    CommentStatus,
    SiteSettings,
    WebLink,
)
from bantin.sanitize import clean_html
from bantin.text import nfc, slugify


def has_content() -> bool:
    return any(
        db.session.scalar(sa.select(sa.func.count()).select_from(model)) > 0
        for model in (Article, Category, WebLink)
    )


def landscape(color: tuple[int, int, int], variant: int = 0) -> Image.Image:
    """A simple generated illustration (hills, sun, a road), 1600 x 900."""
    width, height = 1600, 900
    img = Image.new("RGB", (width, height), color)
    draw = ImageDraw.Draw(img)
    r, g, b = color
    sky = tuple(min(255, c + 90) for c in color)
    draw.rectangle((0, 0, width, height * 0.55), fill=sky)
    draw.ellipse((1180, 120, 1380, 320), fill=(250, 215, 120))
    for i, offset in enumerate((0, 260, 560)):
        shade = (max(0, r - 20 * i), min(255, g + 15 * i), max(0, b - 10 * i))
        peak = 380 + 60 * i + 40 * variant
        draw.polygon([(offset - 300, 900), (offset + 350, peak), (offset + 1000, 900)], fill=shade)
    draw.polygon([(700, 900), (780, 520), (820, 520), (1000, 900)], fill=(200, 190, 170))
    return img


def _body_html(item: dict, image_url: str) -> str:
    parts = []
    for i, paragraph in enumerate(item["paragraphs"]):
        if i == 1:
            parts.append(
                f'<figure><img src="{image_url}" alt="{escape(item["image_alt"])}"'
                f' width="800" height="450"><figcaption>{escape(item["image_caption"])}'
                "</figcaption></figure>"
            )
        if i == 2 and item.get("subheading"):
            parts.append(f"<h2>{escape(item['subheading'])}</h2>")
        parts.append(f"<p>{escape(paragraph)}</p>")
    return clean_html(nfc("".join(parts)))


def _seed_answers(now) -> None:
    """Answers to readers: the office's reply under a comment, and the questions page
    (three answered and published, one waiting)."""
    from bantin import questions
    from bantin.models import DocumentTerm, Question, QuestionStatus, TermKind, User

    replier = db.session.scalar(sa.select(User).order_by(User.id).limit(1))
    first = db.session.scalar(sa.select(Comment).order_by(Comment.id).limit(1))
    if first is not None:
        first.reply = nfc(demo_content.COMMENT_REPLY)
        first.reply_by_id = replier.id if replier else None
        first.replied_at = first.reply_updated_at = first.created_at + timedelta(hours=3)
    fields = {
        term.name: term.id
        for term in db.session.scalars(
            sa.select(DocumentTerm).where(DocumentTerm.kind == TermKind.FIELD)
        )
    }
    for field, name, address, title, content, answer, days_ago in demo_content.QUESTIONS:
        asked = now - timedelta(days=days_ago)
        question = Question(
            title=nfc(title),
            name=nfc(name),
            address=nfc(address),
            content=nfc(content),
            field_id=fields.get(field),
            status=QuestionStatus.PUBLISHED if answer else QuestionStatus.PENDING,
            answer=nfc(answer),
            answered_by_id=replier.id if (answer and replier) else None,
            answered_at=asked + timedelta(days=1) if answer else None,
            published_at=asked + timedelta(days=1) if answer else None,
            created_at=asked,
            updated_at=asked,
        )
        questions.refold(question)
        db.session.add(question)


def seed() -> dict:
    now = utcnow()
    settings = SiteSettings.get()
    for key, value in demo_content.SITE.items():
        setattr(settings, key, nfc(value))

    categories: dict[str, Category] = {}
    for position, item in enumerate(demo_content.CATEGORIES):
        slug = slugify(item["name"])
        if db.session.scalar(sa.select(Category.id).where(Category.slug == slug)):
            slug = f"{slug}-{secrets.token_hex(2)}"
        category = Category(
            name=nfc(item["name"]),
            slug=slug,
            description=nfc(item.get("description", "")),
            position=position,
        )
        db.session.add(category)
        categories[item["key"]] = category

    for position, item in enumerate(demo_content.WEB_LINKS):
        db.session.add(WebLink(title=nfc(item["title"]), url=item["url"], position=position))

    articles: list[Article] = []
    for item in demo_content.ARTICLES:
        name = f"{slugify(item['title'], max_length=40)}.jpg"
        photo = media.store_picture(landscape(tuple(item["image_color"])), "JPEG", name)
        image_url = photo.url
        if item["status"] == "scheduled":
            status, published_at = ArticleStatus.PUBLISHED, now + timedelta(days=2)
        elif item["status"] == "draft":
            status, published_at = ArticleStatus.DRAFT, None
        else:
            status = ArticleStatus.PUBLISHED
            published_at = now - timedelta(days=float(item["days_ago"]))
        body = _body_html(item, image_url)
        article = Article(
            title=nfc(item["title"]),
            slug=slugify(item["title"]),
            category=categories[item["category"]],
            author_name=nfc(item["author"]),
            lead=nfc(item["lead"]),
            body=body,
            body_image_url=first_image_src(body),
            cover_url=image_url,
            status=status,
            published_at=published_at,
            created_at=published_at or now,
            updated_at=published_at or now,
            featured=bool(item["featured"]),
            allow_comments=bool(item["allow_comments"]),
            comment_count=0,
            view_count=int(item["views"]) if status == ArticleStatus.PUBLISHED else 0,
        )
        db.session.add(article)
        articles.append(article)

    db.session.flush()
    # The views of the last week, day by day (the sidebar's "most read this week" and the
    # dashboard read these), spread over the days each article has been published.
    today = local_today()
    for article in articles:
        if article.status != ArticleStatus.PUBLISHED or not article.view_count:
            continue
        age_days = max(0, (now - article.published_at).days)
        days = [today - timedelta(days=n) for n in range(min(7, age_days + 1))]
        share, extra = divmod(min(article.view_count, 7 * 60), len(days))
        for n, day in enumerate(days):
            views = share + (1 if n < extra else 0)
            if views:
                db.session.add(ArticleDailyViews(article_id=article.id, day=day, views=views))

    for item in demo_content.COMMENTS:
        article = articles[item["article"]]
        db.session.add(
            Comment(
                article=article,
                name=nfc(item["name"]),
                address=nfc(item.get("address", "")),
                content=nfc(item["content"]),
                status=CommentStatus.APPROVED,
                created_at=now - timedelta(hours=float(item["hours_ago"])),
            )
        )
        article.comment_count += 1

    # The portal: documents, pages and the menu (after the categories it points to),
    # contacts, this week's schedule; and the settings they show.
    from bantin import contacts, menu, official_documents, schedule, site_pages

    settings.fax = settings.fax or "0235 3 000 009"
    settings.hotline = settings.hotline or "0905 000 000"
    settings.schedule_note = settings.schedule_note or "Lịch này thay thư mời họp"
    db.session.flush()
    official_documents.seed_demo()
    site_pages.seed_demo()
    db.session.flush()
    menu.seed_demo()
    contacts.seed_demo()
    schedule.seed_demo()
    _seed_answers(now)
    db.session.commit()
    return {
        "categories": len(categories),
        "articles": len(articles),
        "links": len(demo_content.WEB_LINKS),
    }
