"""Publishing signed checkpoints to the checkpoint stream (DESIGN §1, §6)."""

from __future__ import annotations

from thidua_contracts import subjects
from thidua_kit.log import MSG_ID_HEADER, EventLog
from thidua_kit.settings import Settings


async def publish_checkpoint(
    log: EventLog, settings: Settings, token: str, note: str, msg_id: str
) -> int:
    """Append one signed note; the message id makes a republication after a crash a no-op."""
    # The kit's EventLog appends envelopes only; checkpoints are plain notes, so we publish
    # through its JetStream context to the checkpoint stream.
    ack = await log._js.publish(
        subjects.checkpoint_subject(settings.subject_prefix, token),
        note.encode(),
        stream=settings.checkpoints,
        headers={MSG_ID_HEADER: msg_id},
    )
    return int(ack.seq)
