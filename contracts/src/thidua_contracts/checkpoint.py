"""Signed checkpoints: C2SP tlog-checkpoint bodies in C2SP signed-note envelopes, Ed25519.

A checkpoint is "<origin>\\n<size>\\n<base64 root>\\n"; the signed note adds a blank line and one
line per signature: "— <key name> <base64(4-byte key id || 64-byte signature)>". Keys travel in
the text forms of the Go `note` package, so other tools (and other cities) can read them:
verifier "<name>+<key id hex>+<base64(0x01 || public key)>", signer
"PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || seed)>".

Parsing needs nothing beyond the standard library; checking and making signatures needs
`cryptography` (the `verify` extra), imported only when a signature is actually checked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from typing import Any

ED25519 = 0x01
SIGNATURE_PREFIX = "\u2014 "  # em dash and space
MAX_SIZE_DIGITS = 20


class NoteError(ValueError):
    """A note, checkpoint or key that is malformed, or a signature that does not verify."""


def key_id(name: str, public_key: bytes) -> bytes:
    """C2SP signed-note key id for Ed25519: SHA-256(name || 0x0A || 0x01 || key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not name or any(ch.isspace() or ch == "+" for ch in name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root_hash).decode()}\n"

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        lines = body.split("\n")
        # Extension lines after the root are allowed by the spec; we keep only the three.
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("a checkpoint is origin, size and root hash, each on its own line")
        origin, size_text, root_text = lines[0], lines[1], lines[2]
        if not origin:
            raise NoteError("checkpoint origin is empty")
        if (
            not size_text.isdigit()
            or len(size_text) > MAX_SIZE_DIGITS
            or (size_text.startswith("0") and size_text != "0")
        ):
            raise NoteError(f"checkpoint size {size_text!r} is not a decimal number")
        try:
            root = base64.b64decode(root_text, validate=True)
        except binascii.Error as exc:
            raise NoteError(f"checkpoint root hash is not base64: {exc}") from exc
        if len(root) != 32:
            raise NoteError(f"checkpoint root hash has {len(root)} bytes, not 32")
        return cls(origin, int(size_text), root)


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        blob = base64.b64encode(self.key_id + self.signature).decode()
        return f"{SIGNATURE_PREFIX}{self.name} {blob}\n"


@dataclass(frozen=True)
class SignedNote:
    text: str
    signatures: tuple[Signature, ...]

    def render(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    @classmethod
    def parse(cls, note: str) -> SignedNote:
        text, sep, block = note.rpartition("\n\n")
        if not sep or not block.endswith("\n"):
            raise NoteError("a signed note is text, a blank line, then signature lines")
        signatures = []
        for line in block[:-1].split("\n"):
            if not line.startswith(SIGNATURE_PREFIX):
                raise NoteError(f"signature line does not start with an em dash: {line[:40]!r}")
            name, _, blob = line[len(SIGNATURE_PREFIX) :].partition(" ")
            try:
                raw = base64.b64decode(blob, validate=True)
            except binascii.Error as exc:
                raise NoteError(f"signature of {name!r} is not base64") from exc
            if len(raw) < 5:
                raise NoteError(f"signature of {name!r} is too short")
            signatures.append(Signature(name, raw[:4], raw[4:]))
        return cls(text + "\n", tuple(signatures))


@dataclass(frozen=True)
class VerifierKey:
    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def encode(self) -> str:
        blob = base64.b64encode(bytes([ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{blob}"

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        name, _, rest = text.strip().partition("+")
        hash_hex, _, blob = rest.partition("+")
        _check_name(name)
        try:
            raw = base64.b64decode(blob, validate=True)
        except binascii.Error as exc:
            raise NoteError("verifier key is not base64") from exc
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("verifier key is not an Ed25519 key")
        key = cls(name, raw[1:])
        if key.key_id.hex() != hash_hex:
            raise NoteError("verifier key id does not match its name and key")
        return key

    def verify(self, note: SignedNote) -> None:
        """Raise NoteError unless the note carries a good signature by this key."""
        mine = [s for s in note.signatures if s.name == self.name and s.key_id == self.key_id]
        if not mine:
            names = ", ".join(f"{s.name}/{s.key_id.hex()}" for s in note.signatures) or "none"
            raise NoteError(f"no signature by {self.name}/{self.key_id.hex()} (found: {names})")
        public = _ed25519().Ed25519PublicKey.from_public_bytes(self.public_key)
        invalid = _invalid_signature()
        for s in mine:
            try:
                public.verify(s.signature, note.text.encode())
            except invalid as exc:
                raise NoteError(f"signature by {self.name} does not verify") from exc


@dataclass(frozen=True)
class SignerKey:
    name: str
    seed: bytes

    @classmethod
    def generate(cls, name: str) -> SignerKey:
        _check_name(name)
        return cls(name, os.urandom(32))

    def public(self) -> VerifierKey:
        private = _ed25519().Ed25519PrivateKey.from_private_bytes(self.seed)
        return VerifierKey(self.name, private.public_key().public_bytes_raw())

    def encode(self) -> str:
        blob = base64.b64encode(bytes([ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.public().key_id.hex()}+{blob}"

    @classmethod
    def parse(cls, text: str) -> SignerKey:
        parts = text.strip().split("+", 4)  # base64 may contain "+"
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("signer key is not PRIVATE+KEY+<name>+<id>+<key>")
        try:
            raw = base64.b64decode(parts[4], validate=True)
        except binascii.Error as exc:
            raise NoteError("signer key is not base64") from exc
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("signer key is not an Ed25519 key")
        key = cls(parts[2], raw[1:])
        if key.public().key_id.hex() != parts[3]:
            raise NoteError("signer key id does not match its name and key")
        return key

    def sign(self, text: str) -> Signature:
        private = _ed25519().Ed25519PrivateKey.from_private_bytes(self.seed)
        return Signature(self.name, self.public().key_id, private.sign(text.encode()))


def sign_checkpoint(checkpoint: Checkpoint, signer: SignerKey) -> str:
    """The signed note text, as published and archived."""
    body = checkpoint.body()
    return SignedNote(body, (signer.sign(body),)).render()


def open_checkpoint(note: str, verifier: VerifierKey) -> Checkpoint:
    """Parse a signed checkpoint and check its signature; NoteError says what is wrong."""
    signed = SignedNote.parse(note)
    checkpoint = Checkpoint.parse(signed.text)
    verifier.verify(signed)
    return checkpoint


def _ed25519() -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError as exc:  # the package works without it until a signature is checked
        raise NoteError(
            "checking Ed25519 signatures needs `cryptography`: pip install thidua-contracts[verify]"
        ) from exc
    return ed25519


def _invalid_signature() -> type[Exception]:
    from cryptography.exceptions import InvalidSignature

    return InvalidSignature


# --- key rotation ----------------------------------------------------------------------------

ROTATION_HEADER = "thidua key rotation"


def rotation_text(origin: str, old: VerifierKey, new: VerifierKey) -> str:
    """What both keys sign when the audit service changes keys: the origin, the key in force,
    the key that takes over. Recorded in the log, it lets a verifier who trusts either key
    follow the change in both directions."""
    return f"{ROTATION_HEADER}\n{origin}\n{old.encode()}\n{new.encode()}\n"


def sign_rotation(origin: str, old: SignerKey, new: SignerKey) -> str:
    text = rotation_text(origin, old.public(), new.public())
    return SignedNote(text, (old.sign(text), new.sign(text))).render()


def open_rotation(note: str, origin: str, old: VerifierKey, new: VerifierKey) -> None:
    """Raise NoteError unless `note` states exactly this rotation, signed by both keys."""
    signed = SignedNote.parse(note)
    if signed.text != rotation_text(origin, old, new):
        raise NoteError("the rotation statement does not name this origin and these keys")
    if old.key_id == new.key_id:
        raise NoteError("a rotation must change the key")
    old.verify(signed)
    new.verify(signed)
