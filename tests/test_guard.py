"""The spam guard: honeypot, timing, rate limit, duplicates, and the hold/block rules."""

import dataclasses
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bantin import guard
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import CaptchaChallenge, CommentStatus, SiteSettings
from tests.comment_helpers import (
    all_comments,
    article_url,
    fetch_form,
    field_error,
    input_value,
    post_comment,
    textarea_value,
)
from tests.conftest import Factory

PENDING_MESSAGE = "Ý kiến của bạn đã được gửi và đang chờ duyệt"


class Clock:
    def __init__(self, app) -> None:
        self.now = utcnow()
        app.config["CLOCK"] = lambda: self.now

    def tick(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def guarded(app_factory):
    """An app with the guard on (as in production) and a clock the test moves."""
    app = app_factory(SPAM_GUARD_ENABLED=True)
    with app.app_context():
        yield app, Clock(app), app.test_client()


def read_then_post(client, clock, art, seconds=5, **fields):
    """Load the form, "type" for a few seconds, then send it."""
    tokens = fetch_form(client, art)
    clock.tick(seconds=seconds)
    return post_comment(client, art, tokens=tokens, **fields)


def challenge_used(token: str) -> bool:
    """The challenge (stored when its image was loaded) has been used."""
    db.session.expire_all()
    stmt = sa.select(CaptchaChallenge).where(CaptchaChallenge.token == token)
    challenge = db.session.scalar(stmt)
    assert challenge is not None, "the image was never loaded"
    return challenge.used_at is not None


# ------------------------------------------------------------------ honeypot


def test_honeypot_is_silently_treated_as_spam(guarded):
    app, clock, client = guarded
    art = Factory().article()
    tokens = fetch_form(client, art)
    assert client.get(f"/captcha/{tokens['captcha_token']}.png").status_code == 200
    clock.tick(seconds=10)
    response = post_comment(client, art, tokens=tokens, website="http://spam.example")
    # The bot sees the ordinary answer...
    assert response.status_code == 303
    assert PENDING_MESSAGE in client.get(article_url(art)).get_data(as_text=True)
    # ... but nothing is stored and the captcha was never even checked.
    assert all_comments() == []
    assert not challenge_used(tokens["captcha_token"])


# ------------------------------------------------------------------ timing


def test_too_fast_is_rejected_and_the_input_kept(guarded):
    app, clock, client = guarded
    art = Factory().article()
    tokens = fetch_form(client, art)
    assert client.get(f"/captcha/{tokens['captcha_token']}.png").status_code == 200
    clock.tick(seconds=2)
    response = post_comment(client, art, tokens=tokens, content="Gửi vội")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Bạn gửi nhanh quá" in html
    assert textarea_value(html) == "Gửi vội"
    assert input_value(html, "name") == "Nguyễn Văn An"
    assert all_comments() == []
    # The guard ran before the captcha: the challenge was not used.
    assert not challenge_used(tokens["captcha_token"])


def test_three_seconds_is_enough(guarded):
    app, clock, client = guarded
    art = Factory().article()
    assert read_then_post(client, clock, art, seconds=3).status_code == 303


def test_resubmitting_a_rejected_form_keeps_its_original_time(guarded):
    app, clock, client = guarded
    art = Factory().article()
    tokens = fetch_form(client, art)
    clock.tick(seconds=30)
    response = post_comment(client, art, tokens=tokens, name="")
    assert response.status_code == 400
    from tests.comment_helpers import form_tokens

    again = form_tokens(response.get_data(as_text=True))
    assert again["ts"] == tokens["ts"]
    # Fixing one field quickly is fine: the form was shown 30 s ago.
    clock.tick(seconds=1)
    assert post_comment(client, art, tokens=again).status_code == 303


@pytest.mark.parametrize("case", ["missing", "tampered", "other_article", "stale"])
def test_bad_form_timestamps_are_rejected(guarded, case):
    app, clock, client = guarded
    make = Factory()
    art = make.article()
    other = make.article()
    tokens = fetch_form(client, art)
    if case == "missing":
        del tokens["ts"]
    elif case == "tampered":
        tokens["ts"] = tokens["ts"][:-2] + ("AA" if tokens["ts"][-2:] != "AA" else "BB")
    elif case == "other_article":
        tokens["ts"] = fetch_form(client, other)["ts"]
    else:
        # The timestamp is signed with the app's key, so a test forges an old one the same way.
        clock.tick(days=-3)
        tokens["ts"] = guard.form_timestamp(art.id)
        clock.tick(days=3)
    clock.tick(seconds=10)
    response = post_comment(client, art, tokens=tokens)
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn hoặc không hợp lệ" in response.get_data(as_text=True)
    assert all_comments() == []


# ------------------------------------------------------------------ rate limit


def test_one_comment_per_fifteen_seconds_per_ip(guarded):
    app, clock, client = guarded
    art = Factory().article()
    assert read_then_post(client, clock, art, content="Thứ nhất").status_code == 303
    response = read_then_post(client, clock, art, seconds=4, content="Thứ hai")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "đợi ít nhất 15 giây" in html
    assert textarea_value(html) == "Thứ hai"
    # Another address is not affected.
    tokens = fetch_form(client, art)
    clock.tick(seconds=4)
    other = client.post(
        f"/article/{art.id}/comments",
        data={**tokens, "name": "Bình", "content": "Từ máy khác", "captcha": "TEST1"},
        environ_base={"REMOTE_ADDR": "192.0.2.50"},
    )
    assert other.status_code == 303
    clock.tick(seconds=10)
    assert read_then_post(client, clock, art, content="Thứ ba").status_code == 303
    assert [c.ip for c in all_comments()] == ["127.0.0.1", "192.0.2.50", "127.0.0.1"]


def test_at_most_ten_comments_an_hour_per_ip(guarded):
    app, clock, client = guarded
    art = Factory().article()
    for n in range(10):
        response = read_then_post(client, clock, art, seconds=20, content=f"Ý kiến số {n}")
        assert response.status_code == 303, n
    response = read_then_post(client, clock, art, seconds=20, content="Ý kiến thứ mười một")
    assert response.status_code == 400
    assert "quá nhiều ý kiến trong một giờ" in response.get_data(as_text=True)
    clock.tick(hours=1)
    assert read_then_post(client, clock, art, content="Một giờ sau").status_code == 303
    assert len(all_comments()) == 11


def test_rate_limit_holds_under_a_race(guarded):
    """The check is repeated inside the INSERT's write transaction, excluding the new row."""
    app, clock, client = guarded
    art = Factory().article()
    from bantin.comments import Submission, submit

    sub = Submission(name="An", address="", email="", content="Một", ip="192.0.2.9")
    first, _ = submit(art, sub, SiteSettings.get())
    assert first is not None
    # A second post that slipped past the early check is still refused here.
    second, reason = submit(art, dataclasses.replace(sub, content="Hai"), SiteSettings.get())
    assert second is None and reason == "rate_burst"
    assert len(all_comments()) == 1


def post_from(client, clock, art, address: str, content: str, seconds: int = 5):
    """Load the form, wait, and post it from ``address`` (REMOTE_ADDR)."""
    tokens = fetch_form(client, art)
    clock.tick(seconds=seconds)
    return client.post(
        f"/article/{art.id}/comments",
        data={**tokens, "name": "Bình", "content": content, "captcha": "TEST1"},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("::ffff:192.0.2.7", "192.0.2.7"),  # IPv4-mapped: the IPv4 address it carries
        ("::ffff:c000:207", "192.0.2.7"),
        ("2001:db8:1:2::5", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:0db8:0001:0002:0000:0000:0000:0001", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::5", "2001:db8:1:3::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("", ""),
        ("not-an-address", "not-an-address"),
    ],
)
def test_rate_key_counts_ipv4_per_address_and_ipv6_per_64(address, key):
    from bantin.web.net import rate_key

    assert rate_key(address) == key


def test_one_ipv6_64_shares_the_burst_limit(guarded):
    """A /64 is one subscriber: a new address from it is no new commenter."""
    app, clock, client = guarded
    art = Factory().article()
    assert post_from(client, clock, art, "2001:db8:1:2::1", "Địa chỉ một").status_code == 303
    response = post_from(client, clock, art, "2001:db8:1:2:abcd:ef01:2345:6789", "Địa chỉ hai")
    assert response.status_code == 400
    assert "đợi ít nhất 15 giây" in response.get_data(as_text=True)
    # The neighbouring /64 is somebody else.
    assert post_from(client, clock, art, "2001:db8:1:3::1", "Mạng bên cạnh").status_code == 303
    assert [c.ip for c in all_comments()] == ["2001:db8:1:2::1", "2001:db8:1:3::1"]


def test_one_ipv6_64_shares_the_hourly_limit(guarded):
    app, clock, client = guarded
    art = Factory().article()
    for n in range(10):
        response = post_from(client, clock, art, f"2001:db8:7:7::{n + 1:x}", f"Số {n}", 20)
        assert response.status_code == 303, n
    response = post_from(client, clock, art, "2001:db8:7:7::ff", "Số mười một", 20)
    assert response.status_code == 400
    assert "quá nhiều ý kiến trong một giờ" in response.get_data(as_text=True)
    assert post_from(client, clock, art, "2001:db8:7:8::1", "Mạng khác", 20).status_code == 303


def test_ipv4_mapped_ipv6_counts_as_the_ipv4_address(guarded):
    app, clock, client = guarded
    art = Factory().article()
    assert post_from(client, clock, art, "192.0.2.77", "Qua IPv4").status_code == 303
    response = post_from(client, clock, art, "::ffff:192.0.2.77", "Qua socket hai ngăn xếp")
    assert response.status_code == 400
    assert "đợi ít nhất 15 giây" in response.get_data(as_text=True)
    # Neighbouring IPv4 addresses are separate clients (no /24 grouping).
    assert post_from(client, clock, art, "192.0.2.78", "Máy bên cạnh").status_code == 303


def test_captcha_limits_count_ipv6_per_64(app_factory):
    app = app_factory(CAPTCHA_RATE_LIMITS={"captcha-new": (2, timedelta(minutes=10))})
    with app.app_context():
        client = app.test_client()

        def new_from(address):
            return client.get(
                "/captcha/new?format=json", environ_base={"REMOTE_ADDR": address}
            ).status_code

        assert new_from("2001:db8:5:5::1") == 200
        assert new_from("2001:db8:5:5::2") == 200
        assert new_from("2001:db8:5:5:1:2:3:4") == 429  # same /64, third request
        assert new_from("2001:db8:5:6::1") == 200
        assert new_from("::ffff:198.51.100.1") == 200
        assert new_from("198.51.100.1") == 200
        assert new_from("198.51.100.1") == 429


def test_rate_hits_are_purged_after_the_hourly_window(guarded):
    from bantin.comments import purge
    from bantin.models import RateEvent

    app, clock, client = guarded
    art = Factory().article()
    assert post_from(client, clock, art, "2001:db8:9:9::1", "Một").status_code == 303
    keys = list(db.session.scalars(sa.select(RateEvent.key).where(RateEvent.bucket == "comment")))
    assert keys == ["2001:db8:9:9::/64"]
    purge(clock.now + timedelta(minutes=30))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RateEvent)) == 1
    assert purge(clock.now + timedelta(hours=2)).rate_events_deleted == 1


def test_blocked_networks_match_ipv4_mapped_addresses():
    assert guard.ip_blocked("::ffff:10.1.2.3", ["10.0.0.0/8"])
    assert guard.ip_blocked("::ffff:192.0.2.5", ["192.0.2.5"])
    assert not guard.ip_blocked("::ffff:192.0.2.6", ["192.0.2.5"])


def test_forwarded_for_is_used_only_behind_a_configured_proxy(app_factory):
    headers = {"X-Forwarded-For": "203.0.113.5"}
    make = Factory()
    for proxies, expected in ((0, "127.0.0.1"), (1, "203.0.113.5")):
        app = app_factory(PROXY_COUNT=proxies)
        with app.app_context():
            art = make.article()
            client = app.test_client()
            tokens = fetch_form(client, art)
            response = client.post(
                f"/article/{art.id}/comments",
                data={
                    **tokens,
                    "name": "An",
                    "content": f"Qua proxy {proxies}",
                    "captcha": "TEST1",
                },
                headers=headers,
            )
            assert response.status_code == 303
            assert all_comments()[-1].ip == expected


# ------------------------------------------------------------------ duplicates


def test_duplicate_content_on_the_same_article_within_a_day(guarded):
    app, clock, client = guarded
    make = Factory()
    art = make.article()
    other = make.article()
    assert read_then_post(client, clock, art, content="Đồng ý với bài viết").status_code == 303
    clock.tick(minutes=5)
    response = read_then_post(client, clock, art, content="  Đồng ý với bài viết ")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "đã được gửi trước đó" in field_error(html, "content")
    clock.tick(minutes=5)
    assert read_then_post(client, clock, other, content="Đồng ý với bài viết").status_code == 303
    clock.tick(days=1)
    assert read_then_post(client, clock, art, content="Đồng ý với bài viết").status_code == 303
    assert len(all_comments()) == 3


# ------------------------------------------------------------------ switched off


def test_guard_off_skips_its_checks_but_not_the_captcha_or_rules(client, factory):
    art = factory.article()
    tokens = fetch_form(client, art)
    del tokens["ts"]
    # No form time, filled honeypot, instant posts, repeated text: all accepted...
    for _ in range(2):
        response = post_comment(client, art, tokens=dict(tokens), website="x")
        assert response.status_code == 303
        tokens = fetch_form(client, art)
        del tokens["ts"]
    assert len(all_comments()) == 2
    # ... the captcha still counts ...
    assert post_comment(client, art, tokens=tokens, captcha="SAI").status_code == 400
    # ... and so do the moderation rules.
    factory.settings(comments_require_approval=False, blocked_keywords="xổ số")
    post_comment(client, art, content="Mua xổ số online")
    assert all_comments()[-1].status == CommentStatus.SPAM


# ------------------------------------------------------------------ rules


@pytest.mark.parametrize(
    ("settings", "fields", "status", "reason"),
    [
        ({}, {"content": "Xem http://a.example và www.b.example"}, "pending", "links"),
        ({}, {"content": "Hai trang: ban-hang.vn, mua-ban.com"}, "pending", "links"),
        ({}, {"content": "Chỉ một trang: https://ubnd.example.vn"}, "approved", ""),
        ({"moderation_keywords": "tham nhũng\nđất đai"}, {"content": "Chuyện Đất Đai ở xã"},
         "pending", "keyword:đất đai"),
        ({"moderation_keywords": "bán"}, {"content": "Cảm ơn các bạn"}, "approved", ""),
        ({"blocked_keywords": "casino"}, {"name": "CASINO online"}, "spam",
         "blocked_keyword:casino"),
        ({"blocked_keywords": "casino"}, {"content": "casinos là từ khác"}, "approved", ""),
        ({"blocked_ips": "10.0.0.0/8\n127.0.0.1"}, {}, "spam", "blocked_ip"),
        ({"blocked_ips": "192.0.2.1"}, {}, "approved", ""),
        ({"blocked_ips": "not an ip"}, {}, "approved", ""),
    ],
)  # fmt: skip
def test_hold_and_block_rules(client, factory, settings, fields, status, reason):
    factory.settings(comments_require_approval=False, **settings)
    art = factory.article()
    response = post_comment(client, art, **fields)
    assert response.status_code == 303
    [comment] = all_comments()
    assert (comment.status.value, comment.reason) == (status, reason)
    html = client.get(article_url(art)).get_data(as_text=True)
    expected = "Ý kiến của bạn đã được đăng" if status == "approved" else PENDING_MESSAGE
    assert expected in html  # spam looks like pending to its sender
    db.session.refresh(art)
    assert art.comment_count == (1 if status == "approved" else 0)


def test_rule_helpers():
    assert guard.check_honeypot("") == (True, "")
    assert guard.check_honeypot("  ") == (True, "")
    assert guard.check_honeypot("x") == (False, "honeypot")
    assert guard.count_links("http://a.vn https://b.vn www.c.vn d.com") == 4
    assert guard.count_links("Số 1.5 triệu, ngày 2.9") == 0
    assert guard.ip_blocked("10.1.2.3", ["10.0.0.0/8"])
    assert guard.ip_blocked("2001:db8::1", ["2001:db8::/32"])
    assert not guard.ip_blocked("192.0.2.1", ["10.0.0.0/8", "rác"])
    assert not guard.ip_blocked("", ["10.0.0.0/8"])
