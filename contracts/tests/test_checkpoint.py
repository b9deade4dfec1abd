"""Signed checkpoints (C2SP tlog-checkpoint in a C2SP signed note, Ed25519)."""

from __future__ import annotations

import hashlib

import pytest

from thidua_contracts.checkpoint import (
    Checkpoint,
    NoteError,
    SignedNote,
    SignerKey,
    VerifierKey,
    key_id,
    open_checkpoint,
    sign_checkpoint,
)

# The example of the Go `golang.org/x/mod/sumdb/note` package: another implementation's bytes.
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_NOTE = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
    "qfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ROOT = hashlib.sha256(b"root").digest()


def test_a_note_signed_by_the_go_implementation_verifies() -> None:
    verifier = VerifierKey.parse(GO_VERIFIER)
    assert verifier.encode() == GO_VERIFIER
    note = SignedNote.parse(GO_NOTE)
    verifier.verify(note)
    assert note.render() == GO_NOTE
    tampered = SignedNote.parse(GO_NOTE.replace("answer", "answers"))
    with pytest.raises(NoteError, match="does not verify"):
        verifier.verify(tampered)


def test_key_id_is_the_c2sp_hash_of_name_type_and_key() -> None:
    public = bytes(range(32))
    assert key_id("a", public) == hashlib.sha256(b"a\n\x01" + public).digest()[:4]


def test_checkpoint_body_is_origin_size_and_base64_root() -> None:
    checkpoint = Checkpoint("thidua/THIDUA", 42, ROOT)
    body = checkpoint.body()
    assert body.split("\n")[:2] == ["thidua/THIDUA", "42"]
    assert Checkpoint.parse(body) == checkpoint


def test_signed_checkpoint_round_trips_and_keys_have_text_forms() -> None:
    signer = SignerKey.generate("thidua/THIDUA")
    assert SignerKey.parse(signer.encode()) == signer
    verifier = VerifierKey.parse(signer.public().encode())
    note = sign_checkpoint(Checkpoint("thidua/THIDUA", 7, ROOT), signer)
    assert note.startswith("thidua/THIDUA\n7\n") and "\n\n\u2014 thidua/THIDUA " in note
    assert open_checkpoint(note, verifier) == Checkpoint("thidua/THIDUA", 7, ROOT)


def test_a_checkpoint_signed_by_another_key_or_edited_is_refused() -> None:
    ours = SignerKey.generate("thidua/THIDUA")
    theirs = SignerKey.generate("thidua/THIDUA")  # same name, other key: another key id
    note = sign_checkpoint(Checkpoint("thidua/THIDUA", 7, ROOT), theirs)
    with pytest.raises(NoteError, match="no signature by"):
        open_checkpoint(note, ours.public())
    good = sign_checkpoint(Checkpoint("thidua/THIDUA", 7, ROOT), ours)
    with pytest.raises(NoteError, match="does not verify"):
        open_checkpoint(good.replace("\n7\n", "\n8\n", 1), ours.public())


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("o\n1\nAAAA\n", "blank line"),
        ("o\n01\n" + "A" * 43 + "=\n\n\u2014 k AAAAAAAA\n", "decimal"),
        ("o\n1\nnot base64!\n\n\u2014 k AAAAAAAA\n", "base64"),
        ("o\n1\nAAAA\n\n\u2014 k AAAAAAAA\n", "32"),
        ("o\n1\n" + "A" * 43 + "=\n\n- k AAAAAAAA\n", "em dash"),
    ],
)
def test_malformed_notes_are_named(note: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        Checkpoint.parse(SignedNote.parse(note).text)


def test_a_verifier_key_with_a_wrong_id_is_refused() -> None:
    name, _, rest = GO_VERIFIER.partition("+")
    with pytest.raises(NoteError, match="key id"):
        VerifierKey.parse(f"{name}+00000000+{rest.partition('+')[2]}")
