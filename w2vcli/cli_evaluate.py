"""`w2v` commands: evaluate (being written)."""
