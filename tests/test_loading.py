"""Validation of exercise files: every kind of bad file gives one clear message, never a traceback.

Each bad-file case is a small edit of a valid exercise (the notes' seed-222, the softmax
classification, the chain-rule expression): a list of (old, new) text replacements, each `old`
occurring exactly once. A case names the field path the error must point at, words its message
must contain, and the text of the line the error must report (None: no line is knowable).
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import backviz
from backviz.core.exercise import ExpressionExercise, NetworkExercise
from backviz.core.loading import load
from backviz.errors import ExerciseError

EXERCISES = Path(__file__).resolve().parent.parent / "exercises"
BASES = {
    name: (EXERCISES / f"{name}.toml").read_text(encoding="utf-8")
    for name in ("seed-222", "softmax-classification", "chain-rule")
}

# (case id, base exercise, edits, field path substring, words in the message, line marker)
# line marker: a text whose first line in the edited file is the line the error reports;
# None when the field is not in the file at all (the error must then have no line).
Edit = tuple[str, str]
SEED_CASES: list[tuple[str, str, list[Edit], str, list[str], str | None]] = [
    # TOML itself
    ("toml-syntax", "seed-222", [("steps = 1", "steps = = 1")], "", ["valid TOML"], "steps = ="),
    (
        "toml-duplicate-key",
        "seed-222",
        [("steps = 1\n", "steps = 1\nsteps = 2\n")],
        "",
        ["valid TOML"],
        "steps = 2",
    ),
    (
        "toml-unclosed-string",
        "seed-222",
        [('loss = "half_sse"', 'loss = "half_sse')],
        "",
        ["valid TOML"],
        'loss = "half_sse',
    ),
    # top level
    ("missing-id", "seed-222", [('id = "seed-222"\n', "")], "id", ["exercise id", "nothing"], None),
    (
        "id-with-space",
        "seed-222",
        [('id = "seed-222"', 'id = "seed 222"')],
        "id",
        ["letters, digits", "'seed 222'"],
        'id = "seed 222"',
    ),
    ("id-not-string", "seed-222", [('id = "seed-222"', "id = 222")], "id", ["string"], "id = 222"),
    ("title-number", "seed-222", [("title = {", "title = 5\n#{")], "title", ["a string"], "title"),
    (
        "title-unknown-language",
        "seed-222",
        [("ko = ", "fr = ")],
        "title.fr",
        ["en or ko", "'fr'"],
        "title =",
    ),
    (
        "notation-typo",
        "seed-222",
        [('notation = "sequential"', 'notation = "sequental"')],
        "notation",
        ["did you mean 'sequential'?", "'sequental'"],
        "notation =",
    ),
    (
        "kind-unknown",
        "seed-222",
        [('notation = "sequential"', 'kind = "graph"')],
        "kind",
        ['"network" | "expression"', "'graph'"],
        "kind =",
    ),
    (
        "unknown-top-key",
        "seed-222",
        [('notation = "sequential"\n', 'notation = "sequential"\ndescripton = "x"\n')],
        "descripton",
        ["unknown key 'descripton'", "did you mean 'description'?"],
        "descripton",
    ),
    (
        "unknown-top-key-no-match",
        "seed-222",
        [('notation = "sequential"\n', 'notation = "sequential"\ncolour = 1\n')],
        "colour",
        ["unknown key 'colour'", "known keys: id, title"],
        "colour",
    ),
    # [network]
    (
        "missing-network",
        "seed-222",
        [
            (
                '[network]\nsizes = [2, 2, 2]\nactivation = "sigmoid"\nbias = false\n'
                'loss = "half_sse"\n',
                "",
            )
        ],
        "network",
        ["[network] table", "nothing"],
        None,
    ),
    (
        "network-not-table",
        "seed-222",
        [("[network]", "[[network]]")],
        "network",
        ["[network] table", "an array [{'sizes'"],
        "[[network]]",
    ),
    (
        "unknown-network-key",
        "seed-222",
        [('activation = "sigmoid"', 'activaton = "sigmoid"')],
        "network.activaton",
        ["unknown key 'activaton'", "did you mean 'activation'?"],
        "activaton",
    ),
    (
        "missing-sizes",
        "seed-222",
        [("sizes = [2, 2, 2]\n", "")],
        "network.sizes",
        ["sizes = [2, 2, 2]", "nothing"],
        "[network]",
    ),
    (
        "sizes-float",
        "seed-222",
        [("sizes = [2, 2, 2]", "sizes = [2, 2.5, 2]")],
        "network.sizes[1]",
        ["an integer ≥ 1", "a number 2.5"],
        "sizes =",
    ),
    (
        "sizes-zero",
        "seed-222",
        [("sizes = [2, 2, 2]", "sizes = [2, 0, 2]")],
        "network.sizes[1]",
        ["an integer ≥ 1", "found 0"],
        "sizes =",
    ),
    (
        "sizes-negative",
        "seed-222",
        [("sizes = [2, 2, 2]", "sizes = [2, 2, -2]")],
        "network.sizes[2]",
        ["an integer ≥ 1", "-2"],
        "sizes =",
    ),
    (
        "sizes-one-layer",
        "seed-222",
        [("sizes = [2, 2, 2]", "sizes = [2]")],
        "network.sizes",
        ["at least 2 layer sizes", "[2]"],
        "sizes =",
    ),
    (
        "sizes-string",
        "seed-222",
        [("sizes = [2, 2, 2]", 'sizes = "2-2-2"')],
        "network.sizes",
        ["at least 2 layer sizes", "a string '2-2-2'"],
        "sizes =",
    ),
    (
        "activation-typo",
        "seed-222",
        [('activation = "sigmoid"', 'activation = "sigmoyd"')],
        "network.activation",
        ["did you mean 'sigmoid'?", "'sigmoyd'", '"relu"'],
        "activation =",
    ),
    (
        "activation-torch-case",  # torch's class name, as a student copies it
        "seed-222",
        [('activation = "sigmoid"', 'activation = "ReLU"')],
        "network.activation",
        ["did you mean 'relu'?", "'ReLU'"],
        "activation =",
    ),
    (
        "activation-list-typo",
        "seed-222",
        [('activation = "sigmoid"', 'activation = ["sigmoid", "tanhh"]')],
        "network.activation[1]",
        ["did you mean 'tanh'?", "'tanhh'"],
        "activation =",
    ),
    (
        "activation-list-length",
        "seed-222",
        [('activation = "sigmoid"', 'activation = ["sigmoid"]')],
        "network.activation",
        ["2 entries (one per non-input layer)", "found 1 entry"],
        "activation =",
    ),
    (
        "activation-number",
        "seed-222",
        [('activation = "sigmoid"', "activation = 1")],
        "network.activation",
        ["an activation name", "an integer 1"],
        "activation =",
    ),
    (
        "softmax-hidden",
        "seed-222",
        [('activation = "sigmoid"', 'activation = ["softmax", "sigmoid"]')],
        "network.activation[0]",
        ["softmax only on the output layer", "layer 2"],
        "activation =",
    ),
    (
        "missing-loss",
        "seed-222",
        [('loss = "half_sse"\n', "")],
        "network.loss",
        ["half_sse", "nothing"],
        "[network]",
    ),
    (
        "unknown-loss",
        "seed-222",
        [('loss = "half_sse"', 'loss = "hinge"')],
        "network.loss",
        ['"half_sse" | "sse" | "mse" | "bce" | "ce"', "'hinge'"],
        "loss =",
    ),
    (
        "loss-typo",
        "seed-222",
        [('loss = "half_sse"', 'loss = "half-sse"')],
        "network.loss",
        ["did you mean 'half_sse'?"],
        "loss =",
    ),
    (
        "loss-with-line-break",
        "seed-222",
        [('loss = "half_sse"', 'loss = "half\\nsse"')],
        "network.loss",
        ["'half\\nsse'"],
        "loss =",
    ),
    (
        "bce-relu-output",
        "seed-222",
        [
            ('activation = "sigmoid"', 'activation = ["sigmoid", "relu"]'),
            ('loss = "half_sse"', 'loss = "bce"'),
        ],
        "network.loss",
        ["sigmoid output layer", "relu output layer", "BCELoss"],
        "loss =",
    ),
    (
        "ce-one-output",
        "seed-222",
        [
            ("sizes = [2, 2, 2]", "sizes = [2, 2, 1]"),
            ('activation = "sigmoid"', 'activation = ["sigmoid", "identity"]'),
            ('loss = "half_sse"', 'loss = "ce"'),
        ],
        "network.sizes",
        ["at least 2 output nodes", "1 output node", "bce"],
        "sizes =",
    ),
    (
        "ce-sigmoid-output",
        "seed-222",
        [('loss = "half_sse"', 'loss = "ce"')],
        "network.loss",
        ["identity (raw scores) or softmax", "sigmoid output layer"],
        "loss =",
    ),
    (
        "bias-not-boolean",
        "seed-222",
        [("bias = false", 'bias = "no"')],
        "network.bias",
        ['true, false or "shared"', "a string 'no'"],
        "bias =",
    ),
    (
        "bias-shared-capitalised",
        "seed-222",
        [("bias = false", 'bias = "Shared"')],
        "network.bias",
        ["a string 'Shared'", "did you mean 'shared'?"],
        "bias =",
    ),
    (
        "bias-true-quoted",
        "seed-222",
        [("bias = false", 'bias = "True"')],
        "network.bias",
        ["a string 'True'", "did you mean true, without quotes?"],
        "bias =",
    ),
    (
        "bce-identity-output-article",
        "seed-222",
        [
            ('activation = "sigmoid"', 'activation = ["sigmoid", "identity"]'),
            ('loss = "half_sse"', 'loss = "bce"'),
        ],
        "network.loss",
        ["found bce with an identity output layer"],
        "loss =",
    ),
    (
        "regularization-forward-only",
        "seed-222",
        [("steps = 1", "steps = 0"), ("[training]", "[regularization]\nl2 = 0.1\n\n[training]")],
        "regularization",
        ["only in an exercise that trains (steps ≥ 1)", "training.steps = 0"],
        "[regularization]",
    ),
    (
        "bias-shared-in-one-layer-misspelt",
        "seed-222",
        [("bias = false", 'bias = [true, "share"]')],
        "network.bias[1]",
        ['true, false or "shared"', "a string 'share'"],
        "bias =",
    ),
    (
        "shared-b-two-numbers",
        "seed-222",
        [
            ("bias = false", 'bias = "shared"'),
            ("\n\n[data]", "\nb = [0.35, [0.6, 0.7]]\n\n[data]"),
        ],
        "parameters.b[1]",
        ["1 number", "found 2 numbers"],
        "b = [",
    ),
    (
        "train-bias-not-boolean",
        "seed-222",
        [("steps = 1", 'steps = 1\ntrain_bias = "no"')],
        "training.train_bias",
        ["true or false", "a string 'no'"],
        "train_bias =",
    ),
    (
        "train-bias-per-layer-too-short",
        "seed-222",
        [("steps = 1", "steps = 1\ntrain_bias = [false]")],
        "training.train_bias",
        ["2 entries (one per non-input layer)", "found 1 entry"],
        "train_bias =",
    ),
    (
        "train-bias-per-layer-not-boolean",
        "seed-222",
        [("steps = 1", 'steps = 1\ntrain_bias = [false, "yes"]')],
        "training.train_bias[1]",
        ["true or false", "a string 'yes'"],
        "train_bias =",
    ),
    (
        "negative-slope-string",
        "seed-222",
        [("bias = false", 'bias = false\nnegative_slope = "0.1"')],
        "network.negative_slope",
        ["a number", "a string '0.1'"],
        "negative_slope",
    ),
    # [parameters]
    (
        "missing-parameters",
        "seed-222",
        [("[parameters]\n", ""), ("W = [", "#W = [")],
        "parameters",
        ["[parameters] table", "nothing"],
        None,
    ),
    (
        "missing-W",
        "seed-222",
        [("W = [", "#W = [")],
        "parameters.W",
        ["one weight matrix per non-input layer", "nothing"],
        "[parameters]",
    ),
    (
        "W-count",
        "seed-222",
        [("W = [ [[0.30, 0.25], [0.40, 0.35]],  [[0.45", "W = [ [[0.45")],
        "parameters.W",
        ["2 matrices", "found 1 matrix"],
        "W = [",
    ),
    (
        "W-not-array",
        "seed-222",
        [("W = [", "W = 0.5\n#")],
        "parameters.W",
        ["2 matrices", "a number 0.5"],
        "W = 0.5",
    ),
    (
        "W-rows",
        "seed-222",
        [("[[0.30, 0.25], [0.40, 0.35]]", "[[0.30, 0.25]]")],
        "parameters.W[0]",
        ["2 rows", "node j of layer 2", "found 1 row"],
        "W = [",
    ),
    (
        "W-columns",
        "seed-222",
        [("[[0.45, 0.40], [0.70, 0.60]]", "[[0.45, 0.40, 0.1], [0.70, 0.60]]")],
        "parameters.W[1][0]",
        ["2 values in every row", "found 3 values"],
        "W = [",
    ),
    (
        "W-row-not-array",
        "seed-222",
        [("[[0.45, 0.40], [0.70, 0.60]]", "[0.45, [0.70, 0.60]]")],
        "parameters.W[1][0]",
        ["a row of weights", "a number 0.45"],
        "W = [",
    ),
    (
        "W-string",
        "seed-222",
        [("[[0.30, 0.25]", '[["0.30", 0.25]')],
        "parameters.W[0][0][0]",
        ["a number", "a string '0.30'"],
        "W = [",
    ),
    (
        "W-boolean",
        "seed-222",
        [("[0.40, 0.35]", "[0.40, true]")],
        "parameters.W[0][1][1]",
        ["a number", "a boolean True"],
        "W = [",
    ),
    (
        "W-nan",
        "seed-222",
        [("[0.70, 0.60]", "[0.70, nan]")],
        "parameters.W[1][1][1]",
        ["a finite number", "found nan"],
        "W = [",
    ),
    (
        "W-inf",
        "seed-222",
        [("[[0.45, 0.40]", "[[-inf, 0.40]")],
        "parameters.W[1][0][0]",
        ["a finite number", "found -inf"],
        "W = [",
    ),
    (
        "W-huge-integer",
        "seed-222",
        [("[[0.30, 0.25]", "[[0.30, 1" + "0" * 400 + "]")],
        "parameters.W[0][0][1]",
        ["a finite number", "too large for a float"],
        "W = [",
    ),
    (
        "toml-integer-too-long",
        "seed-222",
        [("[[0.30, 0.25]", "[[0.30, 1" + "0" * 5000 + "]")],
        "",
        ["valid TOML", "integer too long"],
        None,
    ),
    (
        "bias-on-b-missing",
        "seed-222",
        [("bias = false", "bias = true")],
        "parameters.b",
        ["biases for layer 2", "network.bias is on", "nothing"],
        "[parameters]",
    ),
    (
        "b-for-bias-off-layer",
        "seed-222",
        [
            ("bias = false", "bias = [true, false]"),
            ("\n\n[data]", "\nb = [[0.1, 0.2], [0.3, 0.4]]\n\n[data]"),
        ],
        "parameters.b[1]",
        ["[] (network.bias is off for layer 3)", "an array [0.3, 0.4]"],
        "b = [[",
    ),
    (
        "b-with-bias-false",
        "seed-222",
        [("\n\n[data]", "\nb = [[0.1, 0.2], [0.3, 0.4]]\n\n[data]")],
        "parameters.b[0]",
        ["network.bias is off for layer 2"],
        "b = [[",
    ),
    (
        "b-wrong-length",
        "seed-222",
        [
            ("bias = false", "bias = true"),
            ("\n\n[data]", "\nb = [[0.1, 0.2], [0.3]]\n\n[data]"),
        ],
        "parameters.b[1]",
        ["2 numbers", "found 1 number"],
        "b = [[",
    ),
    (
        "b-count",
        "seed-222",
        [("bias = false", "bias = true"), ("\n\n[data]", "\nb = [[0.1, 0.2]]\n\n[data]")],
        "parameters.b",
        ["2 vectors", "found 1 vector"],
        "b = [[",
    ),
    (
        "unknown-parameters-key",
        "seed-222",
        [("\n\n[data]", '\nint = "uniform"\n\n[data]')],
        "parameters.int",
        ["unknown key 'int'", "did you mean 'init'?"],
        "int =",
    ),
    (
        "init-and-W",
        "seed-222",
        [("\n\n[data]", '\ninit = "uniform"\nseed = 0\n\n[data]')],
        "parameters.W",
        ["either parameters.W or parameters.init", "both"],
        "W = [",
    ),
    (
        "init-without-seed",
        "seed-222",
        [("W = [", 'init = "uniform"\n#W = [')],
        "parameters.seed",
        ["an integer seed", "nothing"],
        "[parameters]",
    ),
    (
        "init-unknown",
        "seed-222",
        [("W = [", 'init = "normal"\nseed = 1\n#W = [')],
        "parameters.init",
        ['"uniform"', "'normal'"],
        "init =",
    ),
    (
        "seed-without-init",
        "seed-222",
        [("\n\n[data]", "\nseed = 1\n\n[data]")],
        "parameters.seed",
        ['init = "uniform"', "a seed without init"],
        "seed = 1",
    ),
    # [data]
    (
        "inputs-width",
        "seed-222",
        [("inputs  = [[0.1, 0.2]]", "inputs  = [[0.1, 0.2, 0.3]]")],
        "data.inputs[0]",
        ["2 values in every row", "found 3 values"],
        "inputs  =",
    ),
    (
        "inputs-empty",
        "seed-222",
        [("inputs  = [[0.1, 0.2]]", "inputs  = []")],
        "data.inputs",
        ["at least one row", "an empty array"],
        "inputs  =",
    ),
    (
        "inputs-missing",
        "seed-222",
        [("inputs  = [[0.1, 0.2]]\n", "")],
        "data.inputs",
        ["one row of 2 numbers per sample", "nothing"],
        "[data]",
    ),
    (
        "unknown-data-key",
        "seed-222",
        [("targets = ", "target = ")],
        "data.target",
        ["unknown key 'target'", "did you mean 'targets'?"],
        "target =",
    ),
    (
        "targets-width",
        "seed-222",
        [("targets = [[0.4, 0.6]]", "targets = [[0.4]]")],
        "data.targets[0]",
        ["2 values in every row", "found 1 value"],
        "targets =",
    ),
    (
        "targets-count",
        "seed-222",
        [("targets = [[0.4, 0.6]]", "targets = [[0.4, 0.6], [0.5, 0.5]]")],
        "data.targets",
        ["1 row", "one row per sample", "found 2 rows"],
        "targets =",
    ),
    (
        "targets-missing",
        "seed-222",
        [("targets = [[0.4, 0.6]]\n", "")],
        "data.targets",
        ["one row of 2 numbers per sample", "nothing"],
        "[data]",
    ),
    (
        "bce-target-above-1",
        "seed-222",
        [('loss = "half_sse"', 'loss = "bce"'), ("[[0.4, 0.6]]", "[[0.4, 1.5]]")],
        "data.targets[0][1]",
        ["a target in [0, 1] for bce", "found 1.5"],
        "targets =",
    ),
    (
        "bce-target-negative",
        "seed-222",
        [('loss = "half_sse"', 'loss = "bce"'), ("[[0.4, 0.6]]", "[[-0.1, 0.6]]")],
        "data.targets[0][0]",
        ["a target in [0, 1] for bce", "found -0.1"],
        "targets =",
    ),
    (
        "ce-class-out-of-range",
        "softmax-classification",
        [("targets = [2, 2, 2, 1, 1, 1, 0, 0]", "targets = [2, 2, 2, 1, 1, 1, 0, 3]")],
        "data.targets[7]",
        ["a class index 0…2", "found 3"],
        "targets =",
    ),
    (
        "ce-class-negative",
        "softmax-classification",
        [("targets = [2, 2, 2, 1, 1, 1, 0, 0]", "targets = [-1, 2, 2, 1, 1, 1, 0, 0]")],
        "data.targets[0]",
        ["a class index 0…2", "found -1"],
        "targets =",
    ),
    (
        "ce-class-float",
        "softmax-classification",
        [("targets = [2, 2, 2, 1, 1, 1, 0, 0]", "targets = [2, 2, 2, 1, 1, 1, 0, 0.5]")],
        "data.targets[7]",
        ["a class index 0…2", "a number 0.5"],
        "targets =",
    ),
    (
        "ce-class-string",
        "softmax-classification",
        [("targets = [2, 2, 2, 1, 1, 1, 0, 0]", 'targets = [2, 2, "A", 1, 1, 1, 0, 0]')],
        "data.targets[2]",
        ["a class index 0…2", "a string 'A'"],
        "targets =",
    ),
    (
        "ce-targets-count",
        "softmax-classification",
        [("targets = [2, 2, 2, 1, 1, 1, 0, 0]", "targets = [2, 2]")],
        "data.targets",
        ["8 classes (one per sample: an index or a row)", "found 2 entries"],
        "targets =",
    ),
    # [training]
    (
        "unknown-training-key",
        "seed-222",
        [("learning_rate = 0.5", "learnig_rate = 0.5")],
        "training.learnig_rate",
        ["unknown key 'learnig_rate'", "did you mean 'learning_rate'?"],
        "learnig_rate",
    ),
    (
        "learning-rate-negative",
        "seed-222",
        [("learning_rate = 0.5", "learning_rate = -0.5")],
        "training.learning_rate",
        ["a number > 0", "found -0.5"],
        "learning_rate",
    ),
    (
        "learning-rate-zero",
        "seed-222",
        [("learning_rate = 0.5", "learning_rate = 0")],
        "training.learning_rate",
        ["a number > 0", "found 0"],
        "learning_rate",
    ),
    (
        "learning-rate-string",
        "seed-222",
        [("learning_rate = 0.5", 'learning_rate = "0.5"')],
        "training.learning_rate",
        ["a number", "a string '0.5'"],
        "learning_rate",
    ),
    (
        "learning-rate-missing",
        "seed-222",
        [("learning_rate = 0.5\n", "")],
        "training.learning_rate",
        ["a learning rate > 0", "nothing"],
        "[training]",
    ),
    (
        "steps-negative",
        "seed-222",
        [("steps = 1", "steps = -1")],
        "training.steps",
        ["an integer ≥ 0", "found -1"],
        "steps =",
    ),
    (
        "steps-float",
        "seed-222",
        [("steps = 1", "steps = 1.5")],
        "training.steps",
        ["an integer ≥ 0", "a number 1.5"],
        "steps =",
    ),
    (
        "step-activation-trains",
        "seed-222",
        [('activation = "sigmoid"', 'activation = "step"')],
        "training.steps",
        ["0 (the step activation has no derivative", "found 1"],
        "steps =",
    ),
    (
        "reduction-unknown",
        "seed-222",
        [("steps = 1", 'steps = 1\nreduction = "average"')],
        "training.reduction",
        ['"mean" | "sum"', "'average'"],
        "reduction",
    ),
    (
        "optimizer-unknown",
        "seed-222",
        [("steps = 1", 'steps = 1\noptimizer = "lbfgs"')],
        "training.optimizer",
        ['"sgd" | "adam" | "adamw" | "rmsprop" | "adagrad"', "'lbfgs'"],
        "optimizer",
    ),
    (
        "optimizer-typo",
        "seed-222",
        [("steps = 1", 'steps = 1\noptimizer = "adma"')],
        "training.optimizer",
        ["did you mean 'adam'?"],
        "optimizer",
    ),
    (
        "momentum-with-adam",
        "seed-222",
        [("steps = 1", 'steps = 1\noptimizer = "adam"\nmomentum = 0.9')],
        "training.momentum",
        ["momentum only with optimizer = sgd", 'optimizer = "adam"'],
        "momentum",
    ),
    (
        "momentum-negative",
        "seed-222",
        [("steps = 1", "steps = 1\nmomentum = -0.9")],
        "training.momentum",
        ["a number ≥ 0", "found -0.9"],
        "momentum",
    ),
    (
        "nesterov-without-momentum",
        "seed-222",
        [("steps = 1", "steps = 1\nnesterov = true")],
        "training.nesterov",
        ["momentum > 0 and dampening = 0", "momentum 0"],
        "nesterov",
    ),
    (
        "nesterov-with-dampening",
        "seed-222",
        [("steps = 1", "steps = 1\nmomentum = 0.9\ndampening = 0.1\nnesterov = true")],
        "training.nesterov",
        ["momentum > 0 and dampening = 0", "dampening 0.1"],
        "nesterov",
    ),
    (
        "betas-out-of-range",
        "seed-222",
        [("steps = 1", 'steps = 1\noptimizer = "adam"\nbetas = [0.9, 1.0]')],
        "training.betas[1]",
        ["a number < 1", "found 1.0"],
        "betas",
    ),
    (
        "betas-negative",
        "seed-222",
        [("steps = 1", 'steps = 1\noptimizer = "adamw"\nbetas = [-0.1, 0.999]')],
        "training.betas[0]",
        ["a number ≥ 0", "found -0.1"],
        "betas",
    ),
    (
        "betas-length",
        "seed-222",
        [("steps = 1", 'steps = 1\noptimizer = "adam"\nbetas = [0.9]')],
        "training.betas",
        ["two numbers [β1, β2]", "an array [0.9]"],
        "betas",
    ),
    (
        "betas-with-sgd",
        "seed-222",
        [("steps = 1", "steps = 1\nbetas = [0.9, 0.999]")],
        "training.betas",
        ["betas only with optimizer = adam or adamw", 'optimizer = "sgd"'],
        "betas",
    ),
    (
        "eps-zero",
        "seed-222",
        [("steps = 1", 'steps = 1\noptimizer = "adam"\neps = 0.0')],
        "training.eps",
        ["a number > 0", "found 0.0"],
        "eps = 0.0",
    ),
    (
        "amsgrad-with-sgd",
        "seed-222",
        [("steps = 1", "steps = 1\namsgrad = true")],
        "training.amsgrad",
        ["amsgrad only with optimizer = adam or adamw", 'optimizer = "sgd"'],
        "amsgrad",
    ),
    (
        "amsgrad-not-a-boolean",
        "seed-222",
        [("steps = 1", 'steps = 1\noptimizer = "adam"\namsgrad = "yes"')],
        "training.amsgrad",
        ["true or false", "'yes'"],
        "amsgrad",
    ),
    (
        "alpha-one",
        "seed-222",
        [("steps = 1", 'steps = 1\noptimizer = "rmsprop"\nalpha = 1.0')],
        "training.alpha",
        ["a number < 1", "found 1.0"],
        "alpha",
    ),
    (
        "centered-with-adam",
        "seed-222",
        [("steps = 1", 'steps = 1\noptimizer = "adam"\ncentered = true')],
        "training.centered",
        ["centered only with optimizer = rmsprop", 'optimizer = "adam"'],
        "centered",
    ),
    (
        "lr-decay-with-rmsprop",
        "seed-222",
        [("steps = 1", 'steps = 1\noptimizer = "rmsprop"\nlr_decay = 0.1')],
        "training.lr_decay",
        ["lr_decay only with optimizer = adagrad", 'optimizer = "rmsprop"'],
        "lr_decay",
    ),
    (
        "initial-accumulator-negative",
        "seed-222",
        [("steps = 1", 'steps = 1\noptimizer = "adagrad"\ninitial_accumulator_value = -1')],
        "training.initial_accumulator_value",
        ["a number ≥ 0", "found -1"],
        "initial_accumulator_value",
    ),
]

CE_TARGET_CASES = [
    ("[[0.1, 0.2, 0.8], 2, 2, 1, 1, 1, 0, 0]", "data.targets[0]", "which sums to 1.1"),
    ("[[1.2, -0.2, 0], 2, 2, 1, 1, 1, 0, 0]", "data.targets[0]", "with a negative entry"),
    ("[[0.5, 0.5], 2, 2, 1, 1, 1, 0, 0]", "data.targets[0]", "a row of 2 numbers"),
    ("[3, 2, 2, 1, 1, 1, 0, 0]", "data.targets[0]", "found 3"),
    ("[true, 2, 2, 1, 1, 1, 0, 0]", "data.targets[0]", "found a boolean True"),
    ("[2, 2]", "data.targets", "8 classes"),
    # summed as written, so the message never says a refused row sums to 1
    (
        "[[0.33333, 0.33333, 0.33333], 2, 2, 1, 1, 1, 0, 0]",
        "data.targets[0]",
        "which sums to 0.99999 (",
    ),
    ("[[0.3, 0.3, 0.3], 2, 2, 1, 1, 1, 0, 0]", "data.targets[0]", "miss 1 by at most 0.000001"),
]


@pytest.mark.parametrize(("targets", "field", "found"), CE_TARGET_CASES)
def test_cross_entropy_targets_say_the_forms_they_take(
    tmp_path: Path, targets: str, field: str, found: str
) -> None:
    """A class index, a one-hot row or class probabilities, as torch's CrossEntropyLoss takes
    them: a target of none of these forms names the field, the forms, and what is wrong."""
    text = (EXERCISES / "softmax-classification.toml").read_text(encoding="utf-8")
    path = tmp_path / "bad.toml"
    path.write_text(re.sub(r"(?m)^targets = .*$", f"targets = {targets}", text), encoding="utf-8")
    error = load_error(path)
    message = str(error)
    assert f"field '{field}'" in message and found in message, message
    if field != "data.targets":
        assert "class index 0…2, or a row of 3 class probabilities" in message


def test_one_hot_rows_are_their_classes_and_probabilities_are_soft_targets(tmp_path: Path) -> None:
    text = (EXERCISES / "softmax-classification.toml").read_text(encoding="utf-8")
    hot = {0: "[1, 0, 0]", 1: "[0, 1, 0]", 2: "[0, 0, 1]"}
    rows = "[" + ", ".join(hot[c] for c in (2, 2, 2, 1, 1, 1, 0, 0)) + "]"
    path = tmp_path / "rows.toml"
    path.write_text(re.sub(r"(?m)^targets = .*$", f"targets = {rows}", text), encoding="utf-8")
    exercise = load(path)
    assert exercise.classes is not None and list(exercise.classes) == [2, 2, 2, 1, 1, 1, 0, 0]
    soft = "[[0.1, 0.2, 0.7], 2, 2, 1, 1, 1, 0, [0.5, 0.5, 0]]"
    path.write_text(re.sub(r"(?m)^targets = .*$", f"targets = {soft}", text), encoding="utf-8")
    exercise = load(path)
    assert exercise.classes is None
    np.testing.assert_array_equal(exercise.targets[0], [0.1, 0.2, 0.7])
    np.testing.assert_array_equal(exercise.targets[1], [0.0, 0.0, 1.0])


@pytest.mark.parametrize("third", ["0.333333", "0.3333333", "0.333333333333"])
def test_thirds_written_to_six_decimals_or_more_are_thirds(tmp_path: Path, third: str) -> None:
    """A teacher writes 1/3 as 0.333333: the row sums to 1 within 1e-6 and is taken as three
    thirds (δ = softmax − t needs Σt = 1), so the loss is −log of the softmax's geometric mean
    over the classes, computed here from the network's numbers by hand."""
    text = (EXERCISES / "softmax-classification.toml").read_text(encoding="utf-8")
    soft = f"[[{third}, {third}, {third}], 2, 2, 1, 1, 1, 0, 0]"
    path = tmp_path / "thirds.toml"
    path.write_text(re.sub(r"(?m)^targets = .*$", f"targets = {soft}", text), encoding="utf-8")
    exercise = load(path)
    np.testing.assert_allclose(exercise.targets[0], [1 / 3] * 3, rtol=1e-15)
    assert math.fsum(exercise.targets[0]) == pytest.approx(1.0, abs=1e-15)
    z = exercise.inputs[0] @ exercise.W[0].T + (0 if exercise.b[0] is None else exercise.b[0])
    log_softmax = z - math.log(sum(math.exp(v) for v in z))
    trace = backviz.solve(path)
    assert trace.steps[0].forward.per_sample[0] == pytest.approx(-log_softmax.mean(), rel=1e-12)


def test_a_row_that_sums_to_one_as_written_is_kept_as_written(tmp_path: Path) -> None:
    """0.1 + 0.2 + 0.7 is 1 as written (0.9999999999999999 in float64): kept, not rescaled."""
    text = (EXERCISES / "softmax-classification.toml").read_text(encoding="utf-8")
    path = tmp_path / "exact.toml"
    soft = "[[0.1, 0.2, 0.7], 2, 2, 1, 1, 1, 0, 0]"
    path.write_text(re.sub(r"(?m)^targets = .*$", f"targets = {soft}", text), encoding="utf-8")
    assert list(load(path).targets[0]) == [0.1, 0.2, 0.7]


EXPRESSION_CASES: list[tuple[str, str, list[Edit], str, list[str], str | None]] = [
    (
        "expr-missing-table",
        "chain-rule",
        [("[expression]\n", ""), ("inputs = {", "#inputs = {"), ("nodes = [", "#nodes = [")],
        "expression",
        ["[expression] table", "nothing"],
        None,
    ),
    (
        "expr-unknown-key",
        "chain-rule",
        [('nodes = ["g', 'ouput = "f"\nnodes = ["g')],
        "expression.ouput",
        ["unknown key 'ouput'", "did you mean 'output'?"],
        "ouput",
    ),
    (
        "expr-missing-inputs",
        "chain-rule",
        [("inputs = { w = -2, x = 5, b = 3 }\n", "")],
        "expression.inputs",
        ["a table of input values", "nothing"],
        "[expression]",
    ),
    (
        "expr-inputs-not-table",
        "chain-rule",
        [("inputs = { w = -2, x = 5, b = 3 }", "inputs = [-2, 5, 3]")],
        "expression.inputs",
        ["[expression.inputs] table", "an array [-2, 5, 3]"],
        "inputs =",
    ),
    (
        "expr-input-not-number",
        "chain-rule",
        [("w = -2", 'w = "-2"')],
        "expression.inputs.w",
        ["a number", "a string '-2'"],
        "inputs =",
    ),
    (
        "expr-input-nan",
        "chain-rule",
        [("x = 5, b", "x = nan, b")],
        "expression.inputs.x",
        ["a finite number", "found nan"],
        "inputs =",
    ),
    (
        "expr-input-keyword",
        "chain-rule",
        [("b = 3 }", "lambda = 3 }")],
        "expression.inputs.lambda",
        ["not a Python keyword", "'lambda'"],
        "inputs =",
    ),
    (
        "expr-missing-nodes",
        "chain-rule",
        [('nodes = ["g = w * x", "f = g + b"]\n', "")],
        "expression.nodes",
        ["an array of assignments", "nothing"],
        "[expression]",
    ),
    (
        "expr-node-not-string",
        "chain-rule",
        [('"g = w * x"', "1")],
        "expression.nodes[0]",
        ["an assignment", "an integer 1"],
        "nodes =",
    ),
    (
        "expr-undefined-name",
        "chain-rule",
        [('"f = g + b"', '"f = gg + b"')],
        "expression.nodes[1]",
        ["undefined name 'gg'", "did you mean 'g'?"],
        "nodes =",
    ),
    (
        "expr-undefined-name-no-match",
        "chain-rule",
        [('"f = g + b"', '"f = g + bias"')],
        "expression.nodes[1]",
        ["undefined name 'bias'", "define it in inputs or an earlier node"],
        "nodes =",
    ),
    (
        "expr-forbidden-import",
        "chain-rule",
        [('"g = w * x"', "\"g = __import__('os')\"")],
        "expression.nodes[0]",
        ["one of the functions exp, log", "'__import__'"],
        "nodes =",
    ),
    (
        "expr-forbidden-attribute",
        "chain-rule",
        [('"g = w * x"', '"g = w.real"')],
        "expression.nodes[0]",
        ["numbers, names, + - * / ** and functions", "'w.real'"],
        "nodes =",
    ),
    (
        "expr-forbidden-lambda",
        "chain-rule",
        [('"g = w * x"', '"g = (lambda: w)()"')],
        "expression.nodes[0]",
        ["one of the functions", "lambda: w"],
        "nodes =",
    ),
    (
        "expr-forbidden-string",
        "chain-rule",
        [('"g = w * x"', "\"g = 'w' * x\"")],
        "expression.nodes[0]",
        ["a number", "'w'"],
        "nodes =",
    ),
    (
        "expr-not-an-assignment",
        "chain-rule",
        [('"g = w * x"', '"import os"')],
        "expression.nodes[0]",
        ["one assignment 'name = expression'", "'import os'"],
        "nodes =",
    ),
    (
        "expr-syntax-error",
        "chain-rule",
        [('"g = w * x"', '"g = w * * x"')],
        "expression.nodes[0]",
        ["not a valid assignment", "'g = w * * x'"],
        "nodes =",
    ),
    (
        "expr-redefined-node",
        "chain-rule",
        [('"f = g + b"', '"g = g + b"')],
        "expression.nodes[1]",
        ["a new name", "'g' is already an earlier node"],
        "nodes =",
    ),
    (
        "expr-redefined-input",
        "chain-rule",
        [('"g = w * x"', '"w = x * 2"')],
        "expression.nodes[0]",
        ["a new name", "'w' is already an input"],
        "nodes =",
    ),
    (
        "expr-output-not-node",
        "chain-rule",
        [('nodes = ["g', 'output = "h"\nnodes = ["g')],
        "expression.output",
        ["the name of a node: g, f", "a string 'h'"],
        "output =",
    ),
    (
        "expr-output-is-input",
        "chain-rule",
        [('nodes = ["g', 'output = "w"\nnodes = ["g')],
        "expression.output",
        ["the name of a node: g, f", "'w' is an input, not a node"],
        "output =",
    ),
    (
        "expr-log-negative",
        "chain-rule",
        [('"f = g + b"', '"f = log(g) + b"')],
        "expression.nodes[1]",
        ["a finite value at the given inputs", "f = log(g) + b = nan", "log"],
        "nodes =",
    ),
    (
        "expr-sqrt-zero-derivative",
        "chain-rule",
        [('"f = g + b"', '"f = sqrt(g + 10) + b"')],
        "expression.nodes[1]",
        ["a finite derivative", "df/dg = inf"],
        "nodes =",
    ),
    (
        "expr-division-by-zero",
        "chain-rule",
        [('"f = g + b"', '"f = b / (g + 10)"')],
        "expression.nodes[1]",
        ["a finite value at the given inputs", "= inf", "division by 0"],
        "nodes =",
    ),
    (
        "expr-negative-base-power",
        "chain-rule",
        [('"f = g + b"', '"f = g ** b"')],
        "expression.nodes[1]",
        ["a finite derivative at the given inputs", "= nan"],
        "nodes =",
    ),
]

CASES = SEED_CASES + EXPRESSION_CASES

# run through the real command line: exit status 2, one line on stderr, no traceback
CLI_IDS = {
    "toml-syntax",
    "missing-sizes",
    "activation-typo",
    "softmax-hidden",
    "W-rows",
    "W-nan",
    "targets-count",
    "ce-class-out-of-range",
    "unknown-training-key",
    "nesterov-without-momentum",
    "loss-with-line-break",
    "toml-integer-too-long",
    "expr-undefined-name",
    "expr-forbidden-import",
    "expr-log-negative",
    "expr-division-by-zero",
}


def edited(base: str, edits: list[Edit]) -> str:
    """The base exercise's text with each (old, new) applied; `old` must occur exactly once."""
    text = BASES[base]
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {base}"
        text = text.replace(old, new)
    return text


def line_of(text: str, marker: str | None) -> int | None:
    """The 1-based number of the first line containing `marker`."""
    if marker is None:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} is not in the edited text")


def load_error(path: Path) -> ExerciseError:
    with pytest.raises(ExerciseError) as caught:
        load(path)
    return caught.value


def run_cli(path: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backviz", "solve", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def assert_one_line_failure(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit status 2, nothing on stdout, exactly one non-empty line on stderr, no traceback."""
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("base", "edits", "field", "words", "marker"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_bad_file_gives_one_exercise_error(
    tmp_path: Path,
    base: str,
    edits: list[Edit],
    field: str,
    words: list[str],
    marker: str | None,
) -> None:
    text = edited(base, edits)
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    error = load_error(path)
    message = str(error)
    assert error.file == str(path)
    assert field in error.field
    if field:
        assert f"field '{error.field}'" in message
    assert error.line == line_of(text, marker)
    where = str(path) if error.line is None else f"{path}:{error.line}"
    assert message.startswith(f"{where}:")
    assert error.expected and error.found
    assert f"expected {error.expected}, found {error.found}" in message
    if error.hint:
        assert message.endswith(f"({error.hint})")
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert "\n" not in message


@pytest.mark.parametrize(
    ("base", "edits", "field", "words"),
    [pytest.param(*case[1:5], id=case[0]) for case in CASES if case[0] in CLI_IDS],
)
def test_bad_file_on_the_command_line(
    tmp_path: Path, base: str, edits: list[Edit], field: str, words: list[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(edited(base, edits), encoding="utf-8")
    line = assert_one_line_failure(run_cli(path), str(path), field, "expected", *words)
    assert line.startswith("backviz: ")


def test_every_cli_case_exists() -> None:
    assert CLI_IDS.issubset(case[0] for case in CASES)
    assert len(CLI_IDS) >= 8


def test_case_ids_are_unique() -> None:
    ids = [case[0] for case in CASES]
    assert len(ids) == len(set(ids))


# files that are not exercise files at all


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    error = load_error(path)
    assert (error.file, error.field, error.line) == (str(path), "", None)
    assert error.expected == "an exercise file"
    assert error.found == "no such file"
    assert str(error) == f"{path}: expected an exercise file, found no such file"
    assert_one_line_failure(run_cli(path), str(path), "no such file")


def test_directory(tmp_path: Path) -> None:
    error = load_error(tmp_path)
    assert (error.file, error.field, error.line) == (str(tmp_path), "", None)
    assert error.found == "a directory"
    assert_one_line_failure(run_cli(tmp_path), str(tmp_path), "a directory")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    text = 'id = "latin"\ntitle = "caf\u00e9"\n'
    path.write_bytes(text.encode("latin-1"))
    error = load_error(path)
    assert error.field == ""
    assert error.expected == "a UTF-8 text file"
    assert "0xe9" in error.found
    assert error.line == line_of(text, "caf\u00e9")
    assert "UTF-8" in error.hint
    assert_one_line_failure(run_cli(path), str(path), "UTF-8")


@pytest.mark.parametrize(
    ("content", "found"),
    [
        pytest.param("", "an empty file", id="empty"),
        pytest.param("\n  \n", "an empty file", id="blank-lines"),
        pytest.param("# only a comment\n", "no keys (only comments or blank lines)", id="comments"),
    ],
)
def test_empty_file(tmp_path: Path, content: str, found: str) -> None:
    path = tmp_path / "empty.toml"
    path.write_text(content, encoding="utf-8")
    error = load_error(path)
    assert (error.field, error.line, error.found) == ("", None, found)
    assert "id =" in error.expected
    assert str(error).startswith(f"{path}: expected an exercise")


def test_line_numbers_with_windows_line_endings(tmp_path: Path) -> None:
    text = edited("seed-222", [("steps = 1", "steps = -1")])
    path = tmp_path / "crlf.toml"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    error = load_error(path)
    assert error.field == "training.steps"
    assert error.line == line_of(text, "steps = -1")


def test_toml_syntax_error_line_with_bom(tmp_path: Path) -> None:
    text = edited("seed-222", [("steps = 1", "steps = = 1")])
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    error = load_error(path)
    assert error.line == line_of(text, "steps = = 1")


# good files


@pytest.mark.parametrize("path", sorted(EXERCISES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_example_exercise_loads(path: Path) -> None:
    exercise = load(path)
    assert exercise.id == path.stem
    assert exercise.source == str(path)
    assert exercise.title["en"]
    if isinstance(exercise, NetworkExercise):
        assert len(exercise.W) == len(exercise.sizes) - 1
        for layer, (W, b) in enumerate(zip(exercise.W, exercise.b, strict=True)):
            assert W.shape == (exercise.sizes[layer + 1], exercise.sizes[layer])
            assert np.isfinite(W).all()
            assert (b is None) == (not exercise.bias[layer])
        assert exercise.inputs.shape[1] == exercise.sizes[0]


def test_seed_222_loads_as_in_the_notes() -> None:
    exercise = load(EXERCISES / "seed-222.toml")
    assert isinstance(exercise, NetworkExercise)
    assert exercise.sizes == (2, 2, 2)
    assert exercise.notation == "sequential"
    assert exercise.bias == (False, False)
    assert exercise.loss_name == "half_sse"
    assert [f.name for f in exercise.activations] == ["sigmoid", "sigmoid"]
    np.testing.assert_array_equal(exercise.W[0], [[0.30, 0.25], [0.40, 0.35]])
    np.testing.assert_array_equal(exercise.W[1], [[0.45, 0.40], [0.70, 0.60]])
    np.testing.assert_array_equal(exercise.inputs, [[0.1, 0.2]])
    assert exercise.targets is not None
    np.testing.assert_array_equal(exercise.targets, [[0.4, 0.6]])
    assert exercise.training.learning_rate == 0.5
    assert exercise.training.steps == 1
    assert exercise.title["ko"]


def test_ce_targets_become_classes_and_one_hot() -> None:
    exercise = load(EXERCISES / "softmax-classification.toml")
    assert isinstance(exercise, NetworkExercise)
    assert exercise.classes is not None and exercise.targets is not None
    assert exercise.classes.tolist() == [2, 2, 2, 1, 1, 1, 0, 0]
    assert exercise.targets.shape == (8, 3)
    np.testing.assert_array_equal(exercise.targets.argmax(axis=1), exercise.classes)
    np.testing.assert_array_equal(exercise.targets.sum(axis=1), np.ones(8))


def test_chain_rule_loads() -> None:
    exercise = load(EXERCISES / "chain-rule.toml")
    assert isinstance(exercise, ExpressionExercise)
    assert exercise.inputs == {"w": -2.0, "x": 5.0, "b": 3.0}
    assert [name for name, _ in exercise.nodes] == ["g", "f"]
    assert exercise.output == "f"


def test_forward_only_file_needs_no_training() -> None:
    exercise = load(EXERCISES / "and-gate.toml")
    assert isinstance(exercise, NetworkExercise)
    assert not exercise.trains


UNIFORM = """\
id = "uniform"
[network]
sizes = [3, 4, 2]
activation = "tanh"
bias = {bias}
loss = "mse"
[parameters]
init = "uniform"
seed = {seed}
[data]
inputs = [[1, 2, 3]]
targets = [[0, 1]]
[training]
learning_rate = 0.1
"""


def load_uniform(tmp_path: Path, seed: int, bias: str = "true") -> NetworkExercise:
    path = tmp_path / f"uniform-{seed}-{bias}.toml"
    path.write_text(UNIFORM.format(seed=seed, bias=bias), encoding="utf-8")
    exercise = load(path)
    assert isinstance(exercise, NetworkExercise)
    return exercise


def test_uniform_init_is_reproducible(tmp_path: Path) -> None:
    first, again = load_uniform(tmp_path, 7), load(tmp_path / "uniform-7-true.toml")
    assert isinstance(again, NetworkExercise)
    for a, b in zip(first.W + first.b, again.W + again.b, strict=True):
        assert a is not None and b is not None
        np.testing.assert_array_equal(a, b)
    other = load_uniform(tmp_path, 8)
    assert not np.array_equal(first.W[0], other.W[0])


def test_uniform_init_bound_is_one_over_sqrt_fan_in(tmp_path: Path) -> None:
    exercise = load_uniform(tmp_path, 0)
    for layer, (W, b) in enumerate(zip(exercise.W, exercise.b, strict=True)):
        bound = 1 / math.sqrt(exercise.sizes[layer])
        assert b is not None
        assert W.shape == (exercise.sizes[layer + 1], exercise.sizes[layer])
        assert np.all(np.abs(W) <= bound) and np.all(np.abs(b) <= bound)
        values = np.concatenate([W.ravel(), b])
        assert values.min() < 0 < values.max()  # both signs: drawn from (−bound, bound)
    # the documented recipe: numpy default_rng(seed), layer by layer, W then b
    rng = np.random.default_rng(0)
    for layer, (W, b) in enumerate(zip(exercise.W, exercise.b, strict=True)):
        bound = 1 / math.sqrt(exercise.sizes[layer])
        np.testing.assert_array_equal(W, rng.uniform(-bound, bound, size=W.shape))
        np.testing.assert_array_equal(b, rng.uniform(-bound, bound, size=b.shape))


def test_uniform_init_without_bias(tmp_path: Path) -> None:
    exercise = load_uniform(tmp_path, 3, bias="false")
    assert exercise.b == (None, None)


def test_utf8_bom_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASES["seed-222"].encode("utf-8"))
    exercise = load(path)
    reference = load(EXERCISES / "seed-222.toml")
    assert isinstance(exercise, NetworkExercise) and isinstance(reference, NetworkExercise)
    assert exercise.id == "seed-222"
    assert exercise.title == reference.title
    for a, b in zip(exercise.W, reference.W, strict=True):
        np.testing.assert_array_equal(a, b)


def test_good_file_on_the_command_line() -> None:
    result = run_cli(EXERCISES / "seed-222.toml")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["exercise"] == "seed-222"
