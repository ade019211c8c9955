"""The documented install gives a site whose English pages are in English.

docs/deploy.md installs with `pip install -e .` into a fresh virtualenv. The compiled
catalogues (`translations/*/LC_MESSAGES/messages.mo`) are build output, not committed, and
once only `make` compiled them: after the documented install every English page came out in
Vietnamese. Here a copy of the project without any .mo file is installed the documented way
into a new virtualenv (offline: `--no-index --no-build-isolation --no-deps`, with this
virtualenv's packages made visible to it), and the English pages are searched for the
Vietnamese UI strings of the catalogue.
"""

import html
import json
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import ROOT

pytestmark = pytest.mark.live

# Runs inside the new virtualenv, from a folder outside the project: `app` must come from
# the installed copy.
PROBE = r"""
import json, sys
from pathlib import Path

import app as app_module
from app import create_app
from flask_migrate import upgrade

from bantin.extensions import db
from bantin.models import Article, ArticleStatus, Category, SiteSettings
from bantin.clock import utcnow

work = Path(sys.argv[1])
app = create_app({
    "TESTING": True,
    "SECRET_KEY": "install-test-7c1f9e42b8d05a63e4f1b29c8d7a6e50",
    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'site.db'}",
    "UPLOAD_FOLDER": str(work / "uploads"),
})
with app.app_context():
    upgrade()
    settings = SiteSettings.get()
    settings.site_name = "Riverside Office"
    settings.tagline = "News of the office"
    for name in ("owner", "managing_body", "address", "credit_line"):
        setattr(settings, name, "Riverside")
    category = Category(name="Notices", slug="notices")
    article = Article(
        title="Opening hours", slug="opening-hours", category=category, author_name="Lan",
        lead="The office opens at eight.", body="<p>The office opens at eight.</p>",
        status=ArticleStatus.PUBLISHED, published_at=utcnow(),
    )
    db.session.add_all([settings, category, article])
    db.session.commit()
    article_path = f"/article/{article.id}/{article.slug}"
client = app.test_client()
client.set_cookie("lang", "en")
pages = {}
for path in ("/", article_path, "/category/notices", "/search?q=office", "/login"):
    response = client.get(path)
    pages[path] = [response.status_code, response.get_data(as_text=True)]
print(json.dumps({"app": app_module.__file__, "pages": pages}))
"""


def _copy_project(target: Path) -> None:
    """The files a clone holds (tracked and new, never ignored ones such as *.mo)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _ui_strings(po_file: Path) -> list[str]:
    """Vietnamese UI strings that the English catalogue translates into something else."""
    with po_file.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    strings = []
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        # Whole, plain strings of some length: placeholders are filled in on the page.
        if source == target or "%" in source or "{" in source or len(source) < 8:
            continue
        if source.isascii():
            continue
        # The language switch names Vietnamese in Vietnamese on every page.
        if source == "Tiếng Việt":
            continue
        strings.append(source)
    return strings


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    attributes = " ".join(
        html.unescape(value)
        for value in re.findall(r'(?:alt|title|placeholder|aria-label)="([^"]*)"', page)
    )
    return " ".join(f"{text} {attributes}".split())


def test_documented_install_compiles_the_translations(tmp_path):
    project = tmp_path / "bantin"
    _copy_project(project)
    assert not list(project.glob("translations/*/LC_MESSAGES/*.mo"))

    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    # This virtualenv's packages (Flask, setuptools, Babel…), after the new one's own: no
    # network is needed, and the project itself must come from the new install.
    (Path(purelib) / "bantin-test-parent.pth").write_text(sysconfig.get_paths()["purelib"])
    install = subprocess.run(
        [
            sys.executable, "-m", "pip", "--python", str(python), "install",
            "--disable-pip-version-check", "--no-index", "--no-build-isolation", "--no-deps",
            "-e", str(project),
        ],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    work = tmp_path / "work"
    work.mkdir()
    probe = subprocess.run(
        [str(python), "-c", PROBE, str(work)],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(work)},
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    assert Path(result["app"]).resolve() == (project / "app.py").resolve()

    vietnamese = _ui_strings(project / "translations" / "en" / "LC_MESSAGES" / "messages.po")
    assert len(vietnamese) > 100
    for path, (status, page) in result["pages"].items():
        assert status == 200, path
        assert 'lang="en"' in page, path
        text = _visible_text(page)
        found = [s for s in vietnamese if s in text]
        assert found == [], f"{path} shows Vietnamese UI strings: {found[:5]}"
    home = _visible_text(result["pages"]["/"][1])
    assert "Riverside Office" in home and "Opening hours" in home
    assert "Search" in home
    compiled = sorted(project.glob("translations/*/LC_MESSAGES/messages.mo"))
    assert [p.parent.parent.name for p in compiled] == ["en"]
