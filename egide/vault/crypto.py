"""Every encryption primitive Égide uses, in one small module over libsodium (PyNaCl).

- Data keys: 32 random bytes per report; fields are XChaCha20-Poly1305 with the record and field
  name as associated data, so a ciphertext moved to another row or column fails to decrypt.
- Files: secretstream (XChaCha20-Poly1305 in chunks with a final tag), so a large upload is
  encrypted and decrypted chunk by chunk and a truncated file is detected.
- Wraps: a data key sealed (X25519 sealed box) to a holder's public key.
- Secrets protected by something a person knows: Argon2id, with the parameters stored beside
  each blob so that changing the settings never locks anyone out of older blobs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import nacl.bindings as sodium
import nacl.pwhash.argon2id as argon2id
from django.conf import settings
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

KEY_BYTES = 32
NONCE_BYTES = 24
SALT_BYTES = argon2id.SALTBYTES
CHUNK_BYTES = 64 * 1024
_BLOB_MAGIC = b"EG1"
_MAX_OPSLIMIT = 20
_MAX_MEMLIMIT = 1024 * 1024 * 1024
_STREAM_MAGIC = b"EGS1"
_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_STREAM_ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES


# What a BinaryField gives back: bytes, or a memoryview on PostgreSQL.
Blob = bytes | memoryview


class DecryptionError(Exception):
    """A ciphertext that does not open with this key and context (wrong key, tampered, moved)."""


@dataclass(frozen=True)
class KdfParams:
    opslimit: int
    memlimit: int

    @classmethod
    def current(cls) -> KdfParams:
        return cls(opslimit=settings.EGIDE_VAULT_ARGON2_OPSLIMIT, memlimit=settings.EGIDE_VAULT_ARGON2_MEMLIMIT)

    @property
    def label(self) -> str:
        return f"{self.opslimit}:{self.memlimit}"

    @classmethod
    def from_label(cls, label: str) -> KdfParams:
        ops, mem = label.split(":")
        return cls(opslimit=int(ops), memlimit=int(mem))


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def _subkey(master: bytes, purpose: bytes) -> bytes:
    return hashlib.blake2b(purpose, key=master, digest_size=KEY_BYTES).digest()


# --- Fields -------------------------------------------------------------------------------------


def encrypt(key: bytes, plaintext: bytes, *, context: str) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, context.encode(), nonce, key)


def decrypt(key: bytes, blob: Blob, *, context: str) -> bytes:
    blob = bytes(blob)
    try:
        return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(blob[NONCE_BYTES:], context.encode(), blob[:NONCE_BYTES], key)
    except (CryptoError, ValueError, TypeError) as error:
        raise DecryptionError(context) from error


def encrypt_json(key: bytes, value: Any, *, context: str) -> bytes:
    return encrypt(key, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(), context=context)


def decrypt_json(key: bytes, blob: Blob, *, context: str) -> Any:
    return json.loads(decrypt(key, blob, context=context))


# --- Key pairs and wraps ------------------------------------------------------------------------


def new_keypair() -> tuple[bytes, bytes]:
    """(public, private) X25519 keys."""
    private = PrivateKey.generate()
    return bytes(private.public_key), bytes(private)


def wrap(data_key: bytes, public_key: Blob) -> bytes:
    return SealedBox(PublicKey(bytes(public_key))).encrypt(data_key)


def unwrap(wrapped: Blob, private_key: bytes) -> bytes:
    try:
        return SealedBox(PrivateKey(bytes(private_key))).decrypt(bytes(wrapped))
    except (CryptoError, ValueError, TypeError) as error:
        raise DecryptionError("wrap") from error


def public_key_of(private_key: bytes) -> bytes:
    return bytes(PrivateKey(bytes(private_key)).public_key)


def fingerprint(public_key: Blob) -> str:
    digest = hashlib.sha256(bytes(public_key)).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


# --- Secrets protected by a passphrase ----------------------------------------------------------


def derive(secret: str, salt: bytes, params: KdfParams) -> bytes:
    return argon2id.kdf(KEY_BYTES, secret.encode(), salt, opslimit=params.opslimit, memlimit=params.memlimit)


def protect(secret_bytes: bytes, passphrase: str, *, context: str) -> bytes:
    """secret_bytes encrypted under Argon2id(passphrase); the blob carries its salt and parameters."""
    params = KdfParams.current()
    salt = secrets.token_bytes(SALT_BYTES)
    header = _BLOB_MAGIC + struct.pack(">II", params.opslimit, params.memlimit) + salt
    return header + encrypt(derive(passphrase, salt, params), secret_bytes, context=context)


def unprotect(blob: Blob, passphrase: str, *, context: str) -> bytes:
    blob = bytes(blob)
    offset = len(_BLOB_MAGIC)
    header = offset + 8 + SALT_BYTES
    if not blob.startswith(_BLOB_MAGIC) or len(blob) < header + NONCE_BYTES:
        raise DecryptionError(context)
    opslimit, memlimit = struct.unpack(">II", blob[offset : offset + 8])
    # A damaged or forged header must not run an unbounded derivation.
    if not (argon2id.OPSLIMIT_MIN <= opslimit <= _MAX_OPSLIMIT and argon2id.MEMLIMIT_MIN <= memlimit <= _MAX_MEMLIMIT):
        raise DecryptionError(context)
    key = derive(passphrase, blob[offset + 8 : header], KdfParams(opslimit=opslimit, memlimit=memlimit))
    return decrypt(key, blob[header:], context=context)


# --- Follow-up codes ----------------------------------------------------------------------------

# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 16 characters x 5 bits = 80 bits of entropy
_CODE_SALT = b"egide-follow-up!"  # fixed: the derivation doubles as the lookup (80-bit codes make a salt per row unneeded)
_CODE_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _index in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str | None:
    """The canonical code from what a person typed (spaces, dashes, lower case, O for 0), or None."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_CODE_FIXES)
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return "-".join(cleaned[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_keys(code: str, params: KdfParams) -> tuple[bytes, bytes]:
    """(lookup, key-encryption key) from one Argon2id derivation of a normalised code."""
    master = derive(code, _CODE_SALT, params)
    return _subkey(master, b"lookup"), _subkey(master, b"kek")


def token_key(token: str) -> bytes:
    """A key from a high-entropy random token (no slow derivation needed)."""
    return hashlib.blake2b(token.encode(), person=b"egide-token", digest_size=KEY_BYTES).digest()


def token_digest(token: str) -> str:
    return hashlib.sha256(b"egide-token-id:" + token.encode()).hexdigest()


def constant_time_equal(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)


# --- Files --------------------------------------------------------------------------------------


def encrypt_stream(key: bytes, source: IO[bytes], target: IO[bytes], *, context: str) -> int:
    """Encrypt source into target chunk by chunk; returns the plaintext size."""
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    header = sodium.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    target.write(_STREAM_MAGIC + header)
    ad, size = context.encode(), 0
    chunk = source.read(CHUNK_BYTES)
    while True:
        following = source.read(CHUNK_BYTES) if chunk else b""
        tag = _MESSAGE if following else _FINAL
        target.write(sodium.crypto_secretstream_xchacha20poly1305_push(state, chunk, ad, tag))
        size += len(chunk)
        if tag == _FINAL:
            return size
        chunk = following


def decrypt_stream(key: bytes, source: IO[bytes], *, context: str) -> Iterator[bytes]:
    """Plaintext chunks of an encrypted file; raises DecryptionError if tampered with or truncated."""
    head = source.read(len(_STREAM_MAGIC) + sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES)
    if not head.startswith(_STREAM_MAGIC):
        raise DecryptionError(context)
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    try:
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, head[len(_STREAM_MAGIC) :], key)
        ad = context.encode()
        while True:
            block = source.read(CHUNK_BYTES + _STREAM_ABYTES)
            if not block:
                raise DecryptionError(context)  # truncated: the final tag never came
            plaintext, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, block, ad)
            yield plaintext
            if tag == _FINAL:
                return
    except (CryptoError, ValueError, TypeError) as error:
        raise DecryptionError(context) from error
