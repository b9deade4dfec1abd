"""Where checkpoints are published, as the README tells a subscriber to find them."""

from __future__ import annotations

from pathlib import Path

import pytest

from thidua_audit.domain.checkpointing import default_origin, message_id, origin_token
from thidua_contracts.subjects import checkpoint_subject
from thidua_kit.settings import Settings

README = Path(__file__).resolve().parents[3] / "README.md"


@pytest.mark.parametrize(
    ("stream", "checkpoints", "token"),
    [
        ("THIDUA", "THIDUA_CHECKPOINTS", "thidua-thidua"),
        ("THIDUA_DEMO_20261204203644", "THIDUA_DEMO_20261204203644_CHECKPOINTS", None),
    ],
)
def test_the_checkpoint_stream_and_subject_follow_the_event_stream(
    stream: str, checkpoints: str, token: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("THIDUA_CHECKPOINT_STREAM", raising=False)
    settings = Settings(stream=stream)

    assert settings.checkpoints == checkpoints
    origin = default_origin(stream)
    assert origin == f"thidua/{stream}"
    assert origin_token(origin) == (token or f"thidua-{stream.lower().replace('_', '-')}")
    assert message_id(origin, 120) == f"{origin}/120"


def test_the_readme_says_how_the_names_are_formed() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    default = checkpoint_subject("thidua", origin_token(default_origin("THIDUA")))

    assert "named `<stream>_CHECKPOINTS` after the event stream" in text
    assert "`THIDUA_CHECKPOINT_STREAM`" in text
    assert "subject `<prefix>.checkpoint.<origin token>`" in text
    assert f"`{default}` for the default stream" in text
    assert "`Nats-Msg-Id` is `<origin>/<tree size>`" in text
    # Nowhere does it say the checkpoints always go to one fixed stream.
    assert "Checkpoints go to `THIDUA_CHECKPOINTS`" not in text
    assert "subscribe to `THIDUA_CHECKPOINTS`" not in text
