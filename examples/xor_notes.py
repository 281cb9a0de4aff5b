"""Seed 003's XOR network, written with chainrule: 2-3-1, sigmoid hidden layer,
no biases, loss 1/(2N) Σ (ŷ - y)², plain gradient descent with learning rate 0.1.

    python examples/xor_notes.py
"""

import numpy as np

import chainrule as cr


def train_xor(epochs=10000, lr=0.1, seed=0):
    X, labels = cr.data.xor()
    y = labels.astype(np.float64)[:, None]
    rng = np.random.default_rng(seed)
    w1 = cr.tensor(rng.normal(size=(2, 3)), requires_grad=True)
    w2 = cr.tensor(rng.normal(size=(3, 1)), requires_grad=True)
    n = len(X)
    losses = []
    for epoch in range(epochs):
        y_hat = cr.sigmoid(X @ w1) @ w2  # forward pass, as in the notes
        loss = ((y_hat - y) ** 2).sum() / (2 * n)
        w1.grad = w2.grad = None
        loss.backward()  # the notes' seven hand-written lines, done by the chain rule
        w1.data -= lr * w1.grad.data
        w2.data -= lr * w2.grad.data
        if epoch % 200 == 0:
            losses.append(loss.item())
    with cr.no_grad():
        y_hat = (cr.sigmoid(X @ w1) @ w2).numpy()[:, 0]
    return y_hat, losses


if __name__ == "__main__":
    predictions, losses = train_xor()
    print("training error every 200 epochs:", " ".join(f"{v:.4f}" for v in losses[::10]))
    for x, p in zip(cr.data.xor()[0], predictions):
        print(f"XOR{tuple(int(v) for v in x)} -> {p:.3f}")
