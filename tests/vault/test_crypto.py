"""The vault's primitives (egide/vault/crypto.py): fields, wraps, passphrase-protected blobs,
follow-up codes and chunked file encryption."""

from __future__ import annotations

import io
import re
import struct
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from egide.vault import crypto
from egide.vault.crypto import CHUNK_BYTES, CODE_ALPHABET, CODE_LENGTH, DecryptionError, KdfParams

SETTINGS_SOURCE = Path(__file__).resolve().parents[2] / "egide" / "settings.py"
CODE_PATTERN = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")


def _flip(blob: bytes, index: int) -> bytes:
    data = bytearray(blob)
    data[index] ^= 0x01
    return bytes(data)


# --- Fields -------------------------------------------------------------------------------------


def test_field_round_trip_and_a_fresh_nonce_each_time() -> None:
    key = crypto.new_key()
    assert len(key) == crypto.KEY_BYTES
    first = crypto.encrypt(key, "Élodie a été suivie.".encode(), context="report:A-1:content")
    second = crypto.encrypt(key, "Élodie a été suivie.".encode(), context="report:A-1:content")
    assert first != second  # random nonce
    assert "Élodie".encode() not in first
    assert crypto.decrypt(key, first, context="report:A-1:content").decode() == "Élodie a été suivie."
    assert crypto.decrypt(key, memoryview(second), context="report:A-1:content").decode() == "Élodie a été suivie."


def test_empty_plaintext_round_trips() -> None:
    key = crypto.new_key()
    assert crypto.decrypt(key, crypto.encrypt(key, b"", context="x"), context="x") == b""


def test_wrong_context_is_refused() -> None:
    key = crypto.new_key()
    blob = crypto.encrypt(key, b"secret", context="report:A-1:content")
    with pytest.raises(DecryptionError):
        crypto.decrypt(key, blob, context="report:A-2:content")  # moved to another row


def test_wrong_key_is_refused() -> None:
    blob = crypto.encrypt(crypto.new_key(), b"secret", context="c")
    with pytest.raises(DecryptionError):
        crypto.decrypt(crypto.new_key(), blob, context="c")


@pytest.mark.parametrize("position", [0, 23, 24, -17, -1])  # nonce, first ciphertext byte, tag
def test_a_tampered_byte_is_refused(position: int) -> None:
    key = crypto.new_key()
    blob = crypto.encrypt(key, b"some plaintext", context="c")
    with pytest.raises(DecryptionError):
        crypto.decrypt(key, _flip(blob, position), context="c")


@pytest.mark.parametrize("blob", [b"", b"short", bytes(crypto.NONCE_BYTES + 3)])
def test_truncated_blobs_are_refused(blob: bytes) -> None:
    with pytest.raises(DecryptionError):
        crypto.decrypt(crypto.new_key(), blob, context="c")


def test_json_round_trip() -> None:
    key = crypto.new_key()
    value = {"narrative": "Il m’a dit « viens »", "wishes": ["talk", "report"], "when": {"start": "2026-09-01"}, "n": 3}
    blob = crypto.encrypt_json(key, value, context="report:X:content")
    assert b"viens" not in blob
    assert crypto.decrypt_json(key, blob, context="report:X:content") == value
    with pytest.raises(DecryptionError):
        crypto.decrypt_json(key, blob, context="report:Y:content")


# --- Wraps --------------------------------------------------------------------------------------


def test_wrap_and_unwrap() -> None:
    public, private = crypto.new_keypair()
    assert crypto.public_key_of(private) == public
    data_key = crypto.new_key()
    wrapped = crypto.wrap(data_key, public)
    assert data_key not in wrapped
    assert crypto.unwrap(wrapped, private) == data_key
    assert crypto.unwrap(memoryview(wrapped), private) == data_key


def test_unwrap_with_another_private_key_or_tampered_is_refused() -> None:
    public, private = crypto.new_keypair()
    _other_public, other_private = crypto.new_keypair()
    wrapped = crypto.wrap(crypto.new_key(), public)
    with pytest.raises(DecryptionError):
        crypto.unwrap(wrapped, other_private)
    with pytest.raises(DecryptionError):
        crypto.unwrap(_flip(wrapped, len(wrapped) - 1), private)
    with pytest.raises(DecryptionError):
        crypto.unwrap(b"not a sealed box", private)


def test_fingerprint_is_stable_and_grouped() -> None:
    public, _private = crypto.new_keypair()
    fingerprint = crypto.fingerprint(public)
    assert fingerprint == crypto.fingerprint(memoryview(public))
    assert re.fullmatch(r"([0-9A-F]{4} ){7}[0-9A-F]{4}", fingerprint)
    assert fingerprint != crypto.fingerprint(crypto.new_keypair()[0])


# --- Passphrase-protected blobs -----------------------------------------------------------------


def test_protect_and_unprotect(settings: Any) -> None:
    secret = crypto.new_key()
    blob = crypto.protect(secret, "a long vault passphrase", context="handler-key")
    assert secret not in blob
    assert crypto.unprotect(blob, "a long vault passphrase", context="handler-key") == secret
    with pytest.raises(DecryptionError):
        crypto.unprotect(blob, "a long vault passphrasE", context="handler-key")
    with pytest.raises(DecryptionError):
        crypto.unprotect(blob, "a long vault passphrase", context="handler-key-recovery")


def test_protect_stores_its_parameters_and_survives_a_settings_change(settings: Any) -> None:
    settings.EGIDE_VAULT_ARGON2_OPSLIMIT = 1
    settings.EGIDE_VAULT_ARGON2_MEMLIMIT = 8192
    secret = crypto.new_key()
    old_blob = crypto.protect(secret, "passphrase", context="c")
    assert old_blob[3:11] == struct.pack(">II", 1, 8192)
    settings.EGIDE_VAULT_ARGON2_OPSLIMIT = 2
    settings.EGIDE_VAULT_ARGON2_MEMLIMIT = 16384
    assert KdfParams.current() == KdfParams(opslimit=2, memlimit=16384)
    new_blob = crypto.protect(secret, "passphrase", context="c")
    assert new_blob[3:11] == struct.pack(">II", 2, 16384)
    assert crypto.unprotect(old_blob, "passphrase", context="c") == secret
    settings.EGIDE_VAULT_ARGON2_OPSLIMIT = 1
    settings.EGIDE_VAULT_ARGON2_MEMLIMIT = 8192
    assert crypto.unprotect(new_blob, "passphrase", context="c") == secret


def test_the_derivation_depends_on_the_parameters() -> None:
    salt = bytes(crypto.SALT_BYTES)
    one = crypto.derive("passphrase", salt, KdfParams(opslimit=1, memlimit=8192))
    assert one == crypto.derive("passphrase", salt, KdfParams(opslimit=1, memlimit=8192))
    assert one != crypto.derive("passphrase", salt, KdfParams(opslimit=2, memlimit=8192))
    assert one != crypto.derive("passphrase", salt, KdfParams(opslimit=1, memlimit=16384))
    assert KdfParams.from_label(KdfParams(opslimit=3, memlimit=65536).label) == KdfParams(opslimit=3, memlimit=65536)


def test_protected_blob_with_a_tampered_salt_or_body_or_magic_is_refused() -> None:
    blob = crypto.protect(b"secret", "passphrase", context="c")
    header = 3 + 8
    for position in (0, header, header + crypto.SALT_BYTES, len(blob) - 1):
        with pytest.raises(DecryptionError):
            crypto.unprotect(_flip(blob, position), "passphrase", context="c")


@pytest.mark.parametrize("case", ["truncated", "opslimit-zero", "memlimit-zero"])
def test_protected_blob_with_a_damaged_header_raises_decryption_error(case: str) -> None:
    blob = crypto.protect(b"secret", "passphrase", context="c")
    damaged = {
        "truncated": blob[:5],
        "opslimit-zero": blob[:3] + struct.pack(">II", 0, 8192) + blob[11:],
        "memlimit-zero": blob[:3] + struct.pack(">II", 1, 0) + blob[11:],
    }[case]
    with pytest.raises(DecryptionError):
        crypto.unprotect(damaged, "passphrase", context="c")


def test_production_key_derivation_defaults_are_strong() -> None:
    """The test suite weakens Argon2id (conftest): the defaults shipped in settings.py must not be weak."""
    source = SETTINGS_SOURCE.read_text(encoding="utf-8")
    ops = re.search(r'env\("EGIDE_VAULT_ARGON2_OPSLIMIT", "(\d+)"\) or (\d+)', source)
    mem = re.search(r'env\("EGIDE_VAULT_ARGON2_MEMLIMIT", str\(([\d *]+)\)\)', source)
    assert ops is not None and mem is not None
    assert int(ops.group(1)) >= 3 and int(ops.group(2)) >= 3
    memlimit = 1
    for factor in mem.group(1).split("*"):
        memlimit *= int(factor.strip())
    assert memlimit >= 64 * 1024 * 1024
    assert 'EGIDE_VAULT_ARGON2_OPSLIMIT", "4"' in source
    assert "64 * 1024 * 1024" in source
    # ... and production refuses weaker values.
    assert "EGIDE_VAULT_ARGON2_MEMLIMIT < 64 * 1024 * 1024 or EGIDE_VAULT_ARGON2_OPSLIMIT < 3" in source


# --- Follow-up codes ----------------------------------------------------------------------------


def test_code_format_and_alphabet() -> None:
    assert len(CODE_ALPHABET) == len(set(CODE_ALPHABET)) == 32  # 5 bits per character
    assert CODE_LENGTH == 16  # 80 bits
    assert not set("ILOU") & set(CODE_ALPHABET)
    codes = {crypto.new_code() for _index in range(300)}
    assert len(codes) == 300
    for code in codes:
        assert CODE_PATTERN.fullmatch(code)
        assert set(code.replace("-", "")) <= set(CODE_ALPHABET)
        assert crypto.normalise_code(code) == code
    used = set("".join(codes).replace("-", ""))
    assert len(used) == 32  # 4800 draws use every character


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ABCD-EFGH-JKMN-PQRS", "ABCD-EFGH-JKMN-PQRS"),
        ("abcd efgh jkmn pqrs", "ABCD-EFGH-JKMN-PQRS"),
        ("  abcdefghjkmnpqrs\n", "ABCD-EFGH-JKMN-PQRS"),
        ("abcd--efgh - jkmn_pqrs", "ABCD-EFGH-JKMN-PQRS"),
        ("O0O0-IiLl-1111-uUvV", "0000-1111-1111-VVVV"),
    ],
)
def test_normalise_code_accepts_what_people_type(typed: str, expected: str) -> None:
    assert crypto.normalise_code(typed) == expected


@pytest.mark.parametrize("typed", ["", "ABCD-EFGH-JKMN-PQR", "ABCD-EFGH-JKMN-PQRST", "ÉBCD-EFGH-JKMN-PQRS", "ABCD" * 10])
def test_normalise_code_refuses_wrong_lengths_and_characters(typed: str) -> None:
    assert crypto.normalise_code(typed) is None


def test_code_keys_depend_on_the_code_only_through_a_slow_derivation() -> None:
    params = KdfParams(opslimit=1, memlimit=8192)
    code = crypto.new_code()
    lookup, kek = crypto.code_keys(code, params)
    assert lookup != kek and len(lookup) == len(kek) == crypto.KEY_BYTES
    assert crypto.code_keys(code, params) == (lookup, kek)
    assert crypto.code_keys(crypto.new_code(), params)[0] != lookup


# --- Files --------------------------------------------------------------------------------------


def _encrypt(key: bytes, data: bytes, context: str = "attachment:vault/x") -> bytes:
    target = io.BytesIO()
    size = crypto.encrypt_stream(key, io.BytesIO(data), target, context=context)
    assert size == len(data)
    return target.getvalue()


def _decrypt(key: bytes, blob: bytes, context: str = "attachment:vault/x") -> bytes:
    return b"".join(crypto.decrypt_stream(key, io.BytesIO(blob), context=context))


@pytest.mark.parametrize("size", [0, 1, CHUNK_BYTES, CHUNK_BYTES * 3 + CHUNK_BYTES // 2])
def test_stream_round_trip(size: int) -> None:
    key = crypto.new_key()
    data = bytes((index * 7) % 251 for index in range(size))
    blob = _encrypt(key, data)
    assert _decrypt(key, blob) == data
    if size >= 32:  # a shorter plaintext may appear in random bytes by chance
        assert data[:32] not in blob


def test_stream_of_several_chunks_is_decrypted_chunk_by_chunk() -> None:
    key = crypto.new_key()
    data = b"x" * (CHUNK_BYTES * 3 + 10)
    chunks = list(crypto.decrypt_stream(key, io.BytesIO(_encrypt(key, data)), context="attachment:vault/x"))
    assert [len(chunk) for chunk in chunks] == [CHUNK_BYTES, CHUNK_BYTES, CHUNK_BYTES, 10]


@pytest.mark.parametrize("cut", ["last-chunk", "mid-chunk", "header-only", "one-byte"])
def test_truncated_stream_is_refused(cut: str) -> None:
    key = crypto.new_key()
    blob = _encrypt(key, b"y" * (CHUNK_BYTES * 3 + CHUNK_BYTES // 2))
    head = len(b"EGS1") + 24
    truncated = {
        "last-chunk": blob[: head + 3 * (CHUNK_BYTES + 17)],  # three whole MESSAGE chunks, the FINAL one missing
        "mid-chunk": blob[: len(blob) - 100],
        "header-only": blob[:head],
        "one-byte": blob[:1],
    }[cut]
    with pytest.raises(DecryptionError):
        _decrypt(key, truncated)


@pytest.mark.parametrize("position", [0, 5, 40, -1])
def test_stream_with_a_flipped_byte_is_refused(position: int) -> None:
    key = crypto.new_key()
    blob = _encrypt(key, b"z" * (CHUNK_BYTES + 5))
    with pytest.raises(DecryptionError):
        _decrypt(key, _flip(blob, position))


def test_stream_with_wrong_key_or_context_is_refused() -> None:
    key = crypto.new_key()
    blob = _encrypt(key, b"photo bytes", context="attachment:vault/a")
    with pytest.raises(DecryptionError):
        _decrypt(crypto.new_key(), blob, context="attachment:vault/a")
    with pytest.raises(DecryptionError):
        _decrypt(key, blob, context="attachment:vault/b")


def test_encrypting_a_50_mb_file_stays_in_small_memory(tmp_path: Path) -> None:
    size = 50 * 1024 * 1024
    source_path, target_path = tmp_path / "plain.bin", tmp_path / "encrypted.bin"
    with source_path.open("wb") as source:
        source.write(b"\xff\xd8\xff" + b"header")
        source.truncate(size)
    key = crypto.new_key()
    tracemalloc.start()
    try:
        with source_path.open("rb") as source, target_path.open("wb") as target:
            written = crypto.encrypt_stream(key, source, target, context="attachment:vault/big")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == size
    assert peak < 5 * 1024 * 1024, f"peak {peak} bytes"
    chunks = (size + CHUNK_BYTES - 1) // CHUNK_BYTES
    assert target_path.stat().st_size == 4 + 24 + size + 17 * chunks
    tracemalloc.start()
    try:
        total = 0
        with target_path.open("rb") as encrypted:
            for chunk in crypto.decrypt_stream(key, encrypted, context="attachment:vault/big"):
                total += len(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == size
    assert peak < 5 * 1024 * 1024, f"peak {peak} bytes"
