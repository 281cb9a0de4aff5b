"""Seed 001's worked example: a 2-2-1 network with tanh hidden units, loss
½(x₃ - y)², one gradient-descent step with learning rate 0.2.

    python examples/one_step_notes.py
"""

import numpy as np

import chainrule as cr


def one_step(lr=0.2):
    W0 = cr.tensor([[1.0, -3.0], [0.2, 1.0]], requires_grad=True)
    W1 = cr.tensor([1.0, -1.0], requires_grad=True)
    x0, y = np.array([1.0, 0.1]), 0.5
    x1 = W0 @ x0          # (0.7, 0.3)
    x2 = cr.tanh(x1)      # (0.604, 0.291)
    x3 = W1 @ x2          # 0.313
    loss = 0.5 * (x3 - y) ** 2
    loss.backward()
    new_W0 = W0.numpy() - lr * W0.grad.numpy()
    new_W1 = W1.numpy() - lr * W1.grad.numpy()
    return {"x1": x1.numpy(), "x2": x2.numpy(), "x3": x3.item(), "dL_dx3": x3.item() - y,
            "grad_W0": W0.grad.numpy(), "grad_W1": W1.grad.numpy(), "W0": new_W0, "W1": new_W1}


if __name__ == "__main__":
    result = one_step()
    np.set_printoptions(precision=4, suppress=True)
    for key, value in result.items():
        print(f"{key:7} = {value}")
