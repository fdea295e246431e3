"""The audit trail: append in the same transaction, verify the whole chain."""
from .chain import GENESIS, canonical_json, event_hash, timestamp
from .trail import PendingEvent, append
from .verify import Verification, verify_chain

__all__ = ["GENESIS", "canonical_json", "event_hash", "timestamp", "PendingEvent", "append",
           "Verification", "verify_chain"]
