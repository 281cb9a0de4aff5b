"""Datasets (generated from a seed, or read from files) and a minibatch loader."""

from .files import digits, load_idx, load_mnist, save_idx
from .loader import DataLoader
from .synthetic import GENERATORS, blobs, circles, moons, spirals, train_test_split, xor

__all__ = ["xor", "moons", "circles", "spirals", "blobs", "digits", "load_idx", "save_idx", "load_mnist",
           "DataLoader", "train_test_split", "GENERATORS"]
