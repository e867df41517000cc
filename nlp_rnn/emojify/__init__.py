"""Emojify: classify a sentence into an emoji, explain it, batch-classify files."""
