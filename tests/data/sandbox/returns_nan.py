"""Returns NaN and infinities in every shape: floats, numpy arrays and scalars, tensors."""

import numpy as np


def forward():
    return {
        "float": float("nan"),
        "inf": float("inf"),
        "array": np.array([[1.0, np.nan], [np.inf, -np.inf]]),
        "scalar": np.float64("nan"),
        "ints": np.arange(3),
        "nested": [(0.5, float("nan"))],
        "$float": "not special",
    }


def with_torch():
    import torch

    w = torch.tensor([1.0, float("nan")], requires_grad=True)
    return {"w": w * 2, "uninitialised": torch.zeros(2, 2) / 0}
