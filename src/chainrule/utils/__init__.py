"""torch.utils's layout: `utils.data` holds Dataset, TensorDataset, DataLoader and random_split."""

from . import data

__all__ = ["data"]
