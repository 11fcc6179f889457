import numpy as np


def train(W, b, x, t, learning_rate, steps, beta1=0.9, beta2=0.999, eps=1e-8):
    w, c = W[0].copy(), b[0].copy()
    m = [np.zeros_like(w), np.zeros_like(c)]
    v = [np.zeros_like(w), np.zeros_like(c)]
    history = []
    n = x.shape[0] * w.shape[0]
    for k in range(1, steps + 1):
        d = 2 * (x @ w.T + c - t) / n
        grads = [d.T @ x, d.sum(axis=0)]
        params = [w, c]
        for i in range(2):
            m[i] = beta1 * m[i] + (1 - beta1) * grads[i]
            v[i] = beta2 * v[i] + (1 - beta2) * grads[i] ** 2
            m_hat, v_hat = m[i] / (1 - beta1**k), v[i] / (1 - beta2**k)
            params[i] = params[i] - learning_rate * m_hat / (np.sqrt(v_hat) + eps)
        w, c = params
        history.append(([w.copy()], [c.copy()]))
    return history
