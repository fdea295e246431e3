"""The audit trail: append in the same transaction, verify the chain and its Merkle tree."""
from .chain import GENESIS, canonical_json, event_hash, hash_event, timestamp
from .trail import PendingEvent, append
from .verify import Verification, verify_chain

__all__ = ["GENESIS", "canonical_json", "event_hash", "hash_event", "timestamp", "PendingEvent", "append",
           "Verification", "verify_chain"]
