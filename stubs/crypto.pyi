"""Cryptography: hashes, Merkle trees with proofs, Ed25519 signatures and a tamper-evident audit log."""

__all__: list[str]
