"""Use cases: one user action, one transaction. Only this package commits."""
