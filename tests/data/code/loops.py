"""Never returns."""


def backward(W, b, x, t, learning_rate):
    while True:
        pass
