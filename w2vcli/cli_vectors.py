"""`w2v` commands: vectors (being written)."""
