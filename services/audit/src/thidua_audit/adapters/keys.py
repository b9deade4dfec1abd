"""The checkpoint signing key: generated on first run into the data directory, never printed."""

from __future__ import annotations

import os
from pathlib import Path

from thidua_contracts.checkpoint import SignerKey


def load_or_create(path: Path, name: str) -> SignerKey:
    """Read the signer key at `path`; on first run make one, readable by its owner only."""
    if path.exists():
        return _checked(SignerKey.parse(path.read_text(encoding="utf-8")), path, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = SignerKey.generate(name)
    try:
        # O_EXCL: two processes starting together must not each keep a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _checked(SignerKey.parse(path.read_text(encoding="utf-8")), path, name)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key.encode() + "\n")
        out.flush()
        os.fsync(out.fileno())
    return key


def create_next(path: Path, name: str) -> SignerKey:
    """A new key beside the first, named by its key id: a rotation records it in the log, and
    the key in force at any tree size follows from the log, so no key file is ever replaced."""
    key = SignerKey.generate(name)
    target = _by_id(path, key.public().key_id.hex())
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key.encode() + "\n")
        out.flush()
        os.fsync(out.fileno())
    return key


def load_by_id(path: Path, name: str, key_id: str) -> SignerKey | None:
    """The rotated-to key with this id, if this machine holds it."""
    found = _by_id(path, key_id)
    if not found.exists():
        return None
    return _checked(SignerKey.parse(found.read_text(encoding="utf-8")), found, name)


def _by_id(path: Path, key_id: str) -> Path:
    return path.with_name(f"{path.stem}-{key_id}{path.suffix}")


def _checked(key: SignerKey, path: Path, name: str) -> SignerKey:
    if key.name != name:
        # Signing another origin's checkpoints with this key would mislead every verifier.
        raise ValueError(f"{path.name} holds the key of {key.name!r}, not of origin {name!r}")
    return key
