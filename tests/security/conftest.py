"""Security-suite helpers: routes discovered from app.url_map, one object of each kind."""

import pytest
from werkzeug.routing import IntegerConverter, Rule

from app import create_app
from bantin.extensions import db
from bantin.models import (
    ArticleRevision,
    Comment,
    CommentStatus,
    Media,
    WebLink,
)

HUGE_INT = "9223372036854775808"  # 2**63: one past SQLite's largest integer


def discovered_rules() -> list[Rule]:
    """Every rule of a freshly built app, at collection time (covers routes added later)."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "tests-only-9f1c2be47a0d55e38b6c19f2a47d03be",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        }
    )
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods or ())))


def rule_id(rule: Rule) -> str:
    return f"{rule.endpoint} {rule.rule}"


def post_rules() -> list[Rule]:
    return [r for r in discovered_rules() if "POST" in (r.methods or ())]


def int_arguments(rule: Rule) -> list[str]:
    return [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]


def sign_in(client, user) -> None:
    """Sign in by session (works with CSRF on; the login form has its own tests)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def admin(factory):
    return factory.user("admin")


@pytest.fixture
def objects(app, factory, admin) -> dict:
    """One of each object a route argument can name, keyed by argument name."""
    category = factory.category("Thời sự")
    article = factory.article(category, title="Bài thử nghiệm")
    revision = ArticleRevision(article_id=article.id, title=article.title, user_id=admin.id)
    link = WebLink(title="Cổng thông tin", url="https://example.org/")
    media = Media(path="/uploads/2024/01/abcdef-1600.jpg", mime="image/jpeg", width=10, height=10)
    comment = Comment(
        article_id=article.id, name="Bạn đọc", content="Ý kiến", status=CommentStatus.PENDING
    )
    other = factory.user("editor")
    db.session.add_all([revision, link, media, comment])
    db.session.commit()
    return {
        "article": article,
        "category": category,
        "article_id": article.id,
        "category_id": category.id,
        "revision_id": revision.id,
        "link_id": link.id,
        "media_id": media.id,
        "comment_id": comment.id,
        "user_id": other.id,
        "action": "approve",
        "code": "vi",
        "filename": "2024/01/abcdef-800.jpg",
        "n": 1,
    }


def build_url(rule: Rule, objects: dict, **override) -> str:
    """A URL for ``rule`` naming real objects (slug: the article's or the category's)."""
    values = {}
    for name in rule.arguments:
        if name in override:
            values[name] = override[name]
        elif name == "slug":
            owner = objects["article"] if "article_id" in rule.arguments else objects["category"]
            values[name] = owner.slug
        elif name in objects:
            values[name] = objects[name]
        elif name in int_arguments(rule):
            values[name] = 1
        else:
            values[name] = "x"
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"cannot build {rule.rule} from {values}"
    return built[1]
