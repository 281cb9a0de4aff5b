"""Seed 000's warning: with every weight and bias initialised to 0, all hidden
units of a sigmoid layer stay identical however long you train.

    python examples/zero_init_notes.py
"""

import numpy as np

import chainrule as cr
from chainrule.tools.diagnostics import SymmetryDetector


def train_zero_init(epochs=200, seed=0):
    # the notes' network: x -> z = σ(W0 x + b0) -> y = W1 z + b1, fitted by squared error
    X, labels = cr.data.moons(200, noise=0.1, seed=seed)
    y = labels.astype(np.float64)[:, None]
    model = cr.nn.MLP([2, 4, 1], activation="sigmoid", init_scheme="zeros")
    optimizer = cr.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = cr.nn.functional.mse_loss(model(cr.tensor(X)), y)
        loss.backward()
        optimizer.step()
    hidden = model[0]
    return hidden.weight.numpy(), hidden.bias.numpy(), SymmetryDetector().check(model)


if __name__ == "__main__":
    weights, bias, findings = train_zero_init()
    np.set_printoptions(precision=4, suppress=True)
    print("hidden weights after training (one row per unit):\n", weights)
    print("hidden biases:", bias)
    print("\n".join(findings))
