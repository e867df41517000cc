"""Seeding: the same seed gives the same model, the same training run and the same sample."""

from __future__ import annotations

import random

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch's global generators. Call it before building a model:
    torch starts every process from a random seed, so unseeded weights differ run to run."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
