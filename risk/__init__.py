"""The risk rules: pure functions from a family's ratings at a meeting to its score, signals, card and rank."""
