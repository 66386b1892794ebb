"""`w2v` commands: train (being written)."""
