"""Kept only for index/store.py until it imports index.masking (issue 24: an arrow from the index up to the bot,
in a file another engineer is changing); the masking itself is index/masking.py. Remove this file then."""

from index.masking import mask_url

__all__ = ["mask_url"]
