"""The module structure docs/architecture.md describes: explicit listeners, one direction of
imports, and an article request that reads top-down through a few modules."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LISTENERS_PROBE = """
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import bantin.cache, bantin.database, bantin.search
from bantin.models import Article
from bantin.search import index

def registered():
    return [
        event.contains(Engine, "connect", bantin.database._sqlite_pragmas),
        event.contains(Session, "after_flush", bantin.cache._bump_content_version),
        event.contains(Article, "after_insert", index._after_insert),
        event.contains(Article, "after_update", index._after_update),
        event.contains(Article, "after_delete", index._after_delete),
    ]

print(registered())
from app import create_app
for _ in range(2):  # a second app registers nothing twice
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "SECRET_KEY": "architecture-test-key-0123456789-abcdefghij"})
print(registered())
"""


def test_listeners_are_registered_by_create_app_not_at_import():
    out = subprocess.run(
        [sys.executable, "-c", LISTENERS_PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[-2:] == [str([False] * 5), str([True] * 5)]


def _imports(path: Path) -> set[str]:
    """Every module a file imports (absolute imports only: the project uses no others)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_bantin_module_imports_the_blueprint_layer():
    offenders = {
        str(path.relative_to(ROOT)): sorted(n for n in _imports(path) if n.startswith("blueprints"))
        for path in (ROOT / "bantin").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_request_bound_helpers_live_in_bantin_web():
    for old in ("net", "paging", "jinja", "security_headers", "search"):
        assert not (ROOT / "bantin" / f"{old}.py").exists(), old
    for new in ("headers", "readonly", "input_guard", "net", "paging", "jinja"):
        assert (ROOT / "bantin" / "web" / f"{new}.py").exists(), new


def _names_used(function: ast.FunctionDef) -> set[str]:
    """The names a function's body reads (modules, classes, functions, its locals)."""
    return {
        node.id
        for statement in function.body
        for node in ast.walk(statement)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def test_the_article_view_calls_down_into_bantin_reader_only():
    tree = ast.parse((ROOT / "blueprints/public/pages.py").read_text(encoding="utf-8"))
    view = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "article")
    own = {arg.arg for arg in view.args.args} | {"art"}
    # The view finds the article (queries, the one visibility rule) and hands it to the
    # reader; everything else the page needs is bantin.reader's.
    assert _names_used(view) - own == {
        "queries",
        "Article",
        "abort",
        "redirect",
        "url_for",
        "reader",
    }


def test_the_reader_path_calls_nothing_in_the_blueprint_layer():
    """Reader views import nothing from another view module: the shared assembly is
    bantin.reader's, so no blueprint module calls across or back up into another."""
    public = ROOT / "blueprints" / "public"
    crossing = {
        path.name: sorted(
            n
            for n in _imports(path)
            if n.startswith("blueprints.") and not n.startswith("blueprints.public.blueprint")
        )
        for path in public.glob("*.py")
        if path.name != "__init__.py"  # it imports the view modules to register them
    }
    assert {k: v for k, v in crossing.items() if v} == {}
    reader_imports = {n for n in _imports(ROOT / "bantin/reader.py") if n.startswith("bantin.")}
    modules = {n.rsplit(".", 1)[0] if n.count(".") > 1 else n for n in reader_imports}
    assert modules == {
        "bantin.cache",
        "bantin.counters",
        "bantin.web",
        "bantin.queries",
        "bantin.comment_form",
        "bantin.comments",
        "bantin.formatting",
        "bantin.models",
        "bantin.sidebar",
    }
