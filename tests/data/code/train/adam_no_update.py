"""Returns the weights it was given at every step, and only as many steps as it likes."""


def train(W, b, x, t, learning_rate, steps):
    return [([W[0].copy()], [b[0].copy()]) for _ in range(steps)]
