"""The stream sequence read from a JetStream delivery's reply subject, in both its forms."""

from __future__ import annotations

import pytest
from nats.aio.msg import Msg

from thidua_kit.log import stream_sequence


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param("$JS.ACK.THIDUA_LOG.ordered-x.1.17345.902.1733456789123456789.72000", id="v1"),
        pytest.param(
            "$JS.ACK.hub.ACCHASH.THIDUA_LOG.ordered-x.1.17345.902.1733456789123456789.72000.r1",
            id="with-domain",
        ),
    ],
)
def test_the_stream_sequence_is_read_as_nats_py_reads_it(reply: str) -> None:
    msg = Msg(None, subject="t.evt.x", reply=reply, data=b"{}")  # type: ignore[arg-type]

    assert stream_sequence(msg) == 17345 == msg.metadata.sequence.stream
    assert msg.metadata.sequence.consumer == 902  # not the consumer's own count
