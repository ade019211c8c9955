"""Every POST route refuses a request without a valid CSRF token (CSRF on, as in production).

The routes come from app.url_map at collection time, so routes added later are covered.
Editor routes are posted by a signed-in admin, so the refusal is CSRF's and not the
login redirect's.
"""

import io

import pytest
from flask_wtf.csrf import CSRFError, generate_csrf
from PIL import Image

from tests.security.conftest import build_url, post_rules, rule_id, sign_in

RULES = post_rules()


@pytest.fixture
def csrf_client(app_factory, objects, admin):
    app = app_factory(WTF_CSRF_ENABLED=True)

    # Mark CSRF refusals so a 400 from form validation cannot pass for one.
    @app.errorhandler(CSRFError)
    def _csrf_failed(error):
        return f"csrf-refused: {error.description}", 400

    client = app.test_client()
    return app, client


def test_there_are_post_routes_to_check():
    endpoints = {r.endpoint for r in RULES}
    assert {"auth.login", "auth.logout"} <= endpoints
    assert any(e.startswith("editor.") for e in endpoints)


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_post_without_or_with_forged_token_is_refused(rule, csrf_client, objects, admin):
    _app, client = csrf_client
    if rule.endpoint.startswith("editor."):
        sign_in(client, admin)
    url = build_url(rule, objects)
    # The comment form runs CSRFProtect's check in its view, so that a refusal gives the
    # reader's text back in the form (blueprints/public/comments.py).
    refused = (
        "Phiên gửi ý kiến đã hết hạn"
        if rule.endpoint == "public.comment_post"
        else "csrf-refused: The CSRF token is missing."
    )
    response = client.post(url, data={"name": "x", "content": "y", "title": "z"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400, (url, response.status_code, body[:300])
    assert refused in body
    forged = client.post(
        url, data={"csrf_token": "forged.token.value"}, headers={"X-CSRFToken": "forged"}
    )
    assert forged.status_code == 400
    assert refused.split(":")[0] in forged.get_data(as_text=True)


def test_token_from_another_session_is_refused(csrf_client, admin):
    """A token is bound to the session that received it: an attacker's own token fails."""
    app, client = csrf_client
    attacker = app.test_client()
    assert client.get("/login").status_code == 200  # the victim has a token of its own
    attacker_page = attacker.get("/login")
    assert attacker_page.status_code == 200
    with attacker.session_transaction() as session:
        raw = session.get("csrf_token")
    assert raw
    with app.test_request_context():
        from flask import session

        session["csrf_token"] = raw
        stolen = generate_csrf()
    response = client.post(
        "/login", data={"email": admin.email, "password": "x", "csrf_token": stolen}
    )
    assert response.status_code == 400
    assert "csrf-refused: The CSRF tokens do not match." in response.get_data(as_text=True)


def test_upload_accepts_header_token_and_refuses_without(csrf_client, admin):
    """POST /editor/uploads takes the token from X-CSRFToken (the editor's JavaScript)."""
    app, client = csrf_client
    sign_in(client, admin)
    refused = client.post("/editor/uploads", data={})
    assert refused.status_code == 400 and "csrf-refused" in refused.get_data(as_text=True)
    client.get("/editor/")
    with client.session_transaction() as session:
        raw = session.get("csrf_token")
    assert raw, "the editor page puts a CSRF token in the session"
    with app.test_request_context():
        from flask import session

        session["csrf_token"] = raw
        token = generate_csrf()
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(picture, "PNG")
    picture.seek(0)
    accepted = client.post(
        "/editor/uploads",
        data={"file": (picture, "anh.png")},
        headers={"X-CSRFToken": token},
        content_type="multipart/form-data",
    )
    assert accepted.status_code == 201, accepted.get_data(as_text=True)
    assert accepted.get_json()["url"].startswith("/uploads/")
