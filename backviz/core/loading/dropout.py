"""Dropout in an exercise: `[network] dropout` (p per hidden layer) and the masks of `[data]`.

    [network]
    dropout = [0.5]                 # p of each hidden layer (0: none there); one number: every one
    [data]
    dropout_mask = [[[1, 0]]]       # per hidden layer, per sample, per node: 1 kept, 0 dropped
    # or: dropout_seed = 0          # masks drawn with numpy's default_rng (printed as given)

A layer with p = 0 takes `[]` as its mask. Nothing here computes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dropout import Dropout, draw_masks
from .fields import Reader, counted, describe

__all__ = ["read_dropout"]


def read_dropout(
    reader: Reader, net: dict, data: dict, sizes: tuple[int, ...], n_samples: int
) -> Dropout | None:
    """The exercise's dropout, None when `[network] dropout` is absent (or every p is 0)."""
    if "dropout" not in net:
        for key in ("dropout_mask", "dropout_seed"):
            if key in data:
                raise reader.error(
                    f"data.{key}", "a mask only with network.dropout (p per hidden layer)", key
                )
        return None
    rates = _rates(reader, net["dropout"], len(sizes) - 2)
    if not any(rates):
        _refuse_unused_masks(reader, data)
        return None
    if ("dropout_mask" in data) == ("dropout_seed" in data):
        raise reader.error(
            "data.dropout_mask",
            "either data.dropout_mask (per hidden layer, per sample, 1 kept / 0 dropped) or "
            "data.dropout_seed",
            "both" if "dropout_mask" in data else "neither",
        )
    if "dropout_seed" in data:
        seed = reader.integer(data["dropout_seed"], "data.dropout_seed")
        return Dropout(rates, draw_masks(rates, sizes, n_samples, seed), seed)
    return Dropout(rates, _masks(reader, data["dropout_mask"], rates, sizes, n_samples))


def _refuse_unused_masks(reader: Reader, data: dict) -> None:
    """With p = 0 everywhere nothing is dropped: a mask other than [] per layer, or a seed to
    draw one, would be silently ignored, so it is refused."""
    if "dropout_seed" in data:
        raise reader.error(
            "data.dropout_seed",
            "no dropout_seed where network.dropout is 0 in every layer (nothing is drawn)",
            "a seed",
        )
    raw = data.get("dropout_mask")
    if raw is not None and (not isinstance(raw, list) or any(m not in ([], None) for m in raw)):
        raise reader.error(
            "data.dropout_mask",
            "[] for each layer where network.dropout is 0 (no node is dropped)",
            f"{describe(raw)} with p = 0 in every layer",
            "the mask would be ignored: give the layer its rate p, or leave the mask out",
        )


def _rates(reader: Reader, raw: Any, n_hidden: int) -> tuple[float, ...]:
    path = "network.dropout"
    if n_hidden == 0:
        raise reader.error(path, "dropout only in a network with a hidden layer", "no hidden layer")
    values = raw if isinstance(raw, list) else [raw] * n_hidden
    if isinstance(raw, list) and len(raw) != n_hidden:
        raise reader.error(
            path,
            f"{counted(n_hidden, 'rate')} p (one per hidden layer)",
            counted(len(raw), "rate"),
        )
    rates = []
    for i, value in enumerate(values):
        where = f"{path}[{i}]" if isinstance(raw, list) else path
        p = reader.number(value, where)
        if not 0 <= p < 1:
            raise reader.error(where, "a rate p with 0 ≤ p < 1", repr(p))
        rates.append(p)
    return tuple(rates)


def _masks(
    reader: Reader, raw: Any, rates: tuple[float, ...], sizes: tuple[int, ...], n_samples: int
) -> tuple[np.ndarray | None, ...]:
    path = "data.dropout_mask"
    nesting = _nesting(rates, sizes, n_samples)
    if not isinstance(raw, list) or len(raw) != len(rates):
        found = counted(len(raw), "mask") if isinstance(raw, list) else describe(raw)
        short = isinstance(raw, list) and not any(isinstance(m, list) for m in raw)
        if short:
            found = f"{describe(raw)}, a list of numbers, not of masks"
        raise reader.error(
            path,
            f"{counted(len(rates), 'mask')} (one per hidden layer)",
            found,
            nesting if short else "",
        )
    masks: list[np.ndarray | None] = []
    for i, (layer_raw, p) in enumerate(zip(raw, rates, strict=True)):
        where = f"{path}[{i}]"
        if p == 0:
            if layer_raw not in ([], None):
                raise reader.error(where, f"[] (p = 0 in layer {i + 2})", describe(layer_raw))
            masks.append(None)
            continue
        if isinstance(layer_raw, list) and not any(isinstance(row, list) for row in layer_raw):
            raise reader.error(
                where,
                f"the mask of layer {i + 2}: {counted(n_samples, 'row')} (one per sample) of "
                f"{counted(sizes[i + 1], 'node')}",
                f"a row of {counted(len(layer_raw), 'number')}, one nesting level short",
                nesting,
            )
        mask = reader.matrix(
            layer_raw, where, n_samples, sizes[i + 1], f"of 1 (kept) or 0 (dropped), layer {i + 2}"
        )
        bad = np.argwhere((mask != 0) & (mask != 1))
        if len(bad):
            r, c = bad[0]
            raise reader.error(
                f"{where}[{r}][{c}]", "1 (kept) or 0 (dropped)", repr(float(mask[r, c]))
            )
        masks.append(mask)
    return tuple(masks)


def _nesting(rates: tuple[float, ...], sizes: tuple[int, ...], n_samples: int) -> str:
    """How the masks nest, with this network's shape written out (every node kept)."""
    layers = [
        "[]"
        if p == 0
        else "[" + ", ".join(["[" + ", ".join(["1"] * sizes[i + 1]) + "]"] * n_samples) + "]"
        for i, p in enumerate(rates)
    ]
    return (
        "dropout_mask nests [hidden layer][sample][node]: here "
        f"dropout_mask = [{', '.join(layers)}] keeps every node"
    )
