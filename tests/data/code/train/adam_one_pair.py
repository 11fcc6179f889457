"""Returns only the last step's weights instead of the list of every step's."""


def train(W, b, x, t, learning_rate, steps):
    return ([W[0].copy()], [b[0].copy()])
