"""Alert e-mails: ASCII subjects, the four parts a person needs, inert channel text."""

from __future__ import annotations

from datetime import UTC, datetime

from crossdock.core.alerts.message import Alert, inert

AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def alert(**overrides) -> Alert:
    fields = {
        "dedupe_key": "auth:taobao-cn",
        "subject": "Shop taobao-cn (taobao): authorization failed",
        "shop_id": "taobao-cn",
        "channel": "taobao",
        "since": AT,
        "what_happened": "h",
        "what_we_did": "d",
        "what_to_do": "t",
        "details": (),
    }
    return Alert(**(fields | overrides))


def test_subject_is_ascii_and_short():
    subject = alert(subject="店铺 " + "x" * 200 + "\nline").render_subject()
    assert subject.isascii() and len(subject) < 100 and "\n" not in subject


def test_body_names_shop_channel_since_and_actions():
    body = alert().render_body()
    for part in (
        "Shop:     taobao-cn",
        "Channel:  taobao",
        "2026-11-21T12:00:00Z",
        "What happened",
        "What crossdock already did",
        "What you should do",
    ):
        assert part in body


def test_channel_text_is_inert():
    body = alert(
        details=("<script>alert('x')</script> 张伟 visit https://evil.example \u202egnp.exe",)
    ).render_body()
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "https://" not in body and "https[:]//evil.example" in body
    assert "\u202e" not in body and "张伟" in body


def test_inert_truncates():
    assert len(inert("a" * 1000, limit=50)) == 50
