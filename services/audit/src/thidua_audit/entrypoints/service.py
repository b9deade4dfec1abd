"""Composition root of the audit service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from thidua_contracts.commands import AuditLeaves, AuditPublicKey, ExplainAward, RotateAuditKey
from thidua_contracts.types import ECMA_SPACE
from thidua_kit.db import Store
from thidua_kit.host import ServiceDefinition
from thidua_kit.settings import Settings

from ..adapters.explain_docx import render_explanation
from ..adapters.tables import metadata
from ..app import handlers, tree
from ..domain.chain import explain_log
from ..domain.checkpointing import Policy, default_origin


class AuditSettings(BaseSettings):
    """`THIDUA_AUDIT_*`: how often checkpoints are signed, with which key, for which origin."""

    model_config = SettingsConfigDict(env_prefix="THIDUA_AUDIT_", extra="ignore")

    checkpoint_every: int = Field(default=100, ge=1)
    checkpoint_seconds: float = Field(default=10.0, ge=0)
    key_path: Path | None = None  # default: <data dir>/audit/checkpoint.key
    # The origin goes into audit.SigningKeyRotated: the same pattern, or a rotation is refused.
    origin: str | None = Field(default=None, pattern=rf"^[^{ECMA_SPACE}+]+$")  # thidua/<stream>


def build(settings: Settings) -> ServiceDefinition:
    config = AuditSettings()
    follower = tree.Follower(
        origin=config.origin or default_origin(settings.stream),
        policy=Policy(every=config.checkpoint_every, seconds=config.checkpoint_seconds),
        key_path=config.key_path or settings.data_dir / "audit" / "checkpoint.key",
    )

    def public_key(_query: AuditPublicKey, store: Store, _settings: Settings) -> Any:
        return tree.public_key(follower, store)

    def leaf_page(query: AuditLeaves, store: Store, _settings: Settings) -> Any:
        return tree.leaf_page(store, query.start, query.limit)

    return ServiceDefinition(
        name="audit",
        on_event=handlers.on_event,
        commands={RotateAuditKey.NAME: (RotateAuditKey, tree.rotate)},
        queries={
            ExplainAward.NAME: (ExplainAward, handlers.explain),
            AuditPublicKey.NAME: (AuditPublicKey, public_key),
            AuditLeaves.NAME: (AuditLeaves, leaf_page),
        },
        metadata=metadata,
        # Auditors' tools run these locally on an export bundle, without the service.
        extra={
            "audit": follower,
            "explain_log": explain_log,
            "explain_docx": render_explanation,
        },
        on_idle=tree.on_idle,
        partitionable=False,  # the Merkle tree follows the whole stream in order
    )
