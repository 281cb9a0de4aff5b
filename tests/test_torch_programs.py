"""Small PyTorch programs run with `torch` meaning chainrule, against the same programs run by PyTorch.

Each program is written once, as a PyTorch user writes it (`dtype = torch.float`, `device=`,
`.to(device)`, the float32 default), and called with the module to use as `torch` (and the initial
weights, so both runs start alike). The module runs with chainrule's own defaults, as a user's program
does (tests/conftest.py).
"""

import math

import numpy as np
import pytest

import chainrule as cr

pytestmark = pytest.mark.library_defaults


def _torch():
    return pytest.importorskip("torch")


def _copy_weights(target, source_arrays, torch):
    with torch.no_grad() if torch is not cr else cr.no_grad():
        for p, a in zip(target.parameters(), source_arrays):
            if torch is cr:
                p.data = np.array(a, dtype=p.dtype)
            else:
                p.copy_(torch.tensor(a, dtype=p.dtype))


# ---- "Learning PyTorch with Examples": the polynomial by autograd, updated in place ------------------
def polynomial_autograd(torch):
    dtype = torch.float
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype, device=device)
    y = torch.sin(x)
    a, b, c, d = (torch.tensor(v, device=device, dtype=dtype, requires_grad=True) for v in (0.1, -0.3, 0.2, 0.05))
    learning_rate = 1e-6
    for _ in range(300):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return loss.item(), [a.item(), b.item(), c.item(), d.item()]


def test_polynomial_autograd_with_in_place_updates_matches_torch():
    torch = _torch()
    ours, theirs = polynomial_autograd(cr), polynomial_autograd(torch)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-4)  # both in float32: sums in another order
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-4)


# ---- the same, with a custom autograd.Function: see tests/test_torch_api.py (LegendrePolynomial3) ----


# ---- "Learning PyTorch with Examples": the polynomial fitted by nn + optim ---------------------------
def polynomial_nn_optim(torch, init):
    x = torch.linspace(-math.pi, math.pi, 2000)
    assert x.dtype == torch.float32  # the default float dtype, in both libraries
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    _copy_weights(model, init, torch)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for _ in range(300):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return loss.item()


def test_polynomial_nn_optim_reaches_torch_loss():
    torch = _torch()
    init = [np.array([[0.1, -0.2, 0.05]]), np.array([0.3])]
    ours = polynomial_nn_optim(cr, init)
    theirs = polynomial_nn_optim(torch, init)
    assert ours == pytest.approx(theirs, rel=1e-3)  # both run in float32


# ---- the MNIST convnet example, on the 8x8 digits --------------------------------------------------
def mnist_convnet(torch, init, images, labels, epochs=2):
    nn, F, optim = torch.nn, torch.nn.functional, torch.optim
    from_lib = torch.utils.data

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, 3, 1)
            self.conv2 = nn.Conv2d(16, 32, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(128, 64)
            self.fc2 = nn.Linear(64, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = self.dropout2(x)
            return F.log_softmax(self.fc2(x), dim=1)

    torch.manual_seed(1)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = Net().to(device)
    _copy_weights(model, init, torch)
    x = torch.tensor(images).float()
    y = torch.tensor(labels)
    train = from_lib.TensorDataset(x[:1400], y[:1400])
    test = from_lib.TensorDataset(x[1400:], y[1400:])
    train_loader = from_lib.DataLoader(train, batch_size=64, shuffle=True)
    test_loader = from_lib.DataLoader(test, batch_size=1000)
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    for _ in range(epochs):
        model.train()
        for data, target in train_loader:
            data, target = data.to(device), target.to(device)
            optimizer.zero_grad()
            loss = F.nll_loss(model(data), target)
            loss.backward()
            optimizer.step()
        scheduler.step()
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    return test_loss / len(test), correct / len(test)


def test_mnist_convnet_example_on_digits_reaches_torch_accuracy():
    torch = _torch()
    images, labels = cr.data.digits()
    order = np.random.default_rng(0).permutation(len(labels))
    images, labels = images[order].reshape(-1, 1, 8, 8), labels[order]
    rng = np.random.default_rng(1)
    shapes = [((16, 1, 3, 3), 9), ((16,), 9), ((32, 16, 3, 3), 144), ((32,), 144), ((64, 128), 128), ((64,), 128),
              ((10, 64), 64), ((10,), 64)]
    init = [rng.uniform(-1, 1, s) / math.sqrt(fan_in) for s, fan_in in shapes]
    ours_loss, ours_acc = mnist_convnet(cr, init, images, labels)
    theirs_loss, theirs_acc = mnist_convnet(torch, init, images, labels)
    assert ours_acc > 0.7 and theirs_acc > 0.7  # shuffles and dropout masks differ: the same quality, not bits
    assert abs(ours_acc - theirs_acc) < 0.08
    assert ours_loss < 2 * theirs_loss + 0.1


# ---- PyTorch's quickstart classifier (Flatten + Linear/ReLU stack), on the digits ------------------
def quickstart(torch, init, images, labels):
    nn = torch.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                                                   nn.Linear(64, 10))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = NeuralNetwork().to(device)
    _copy_weights(model, init, torch)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.tensor(images, dtype=torch.float).to(device), torch.tensor(labels).to(device)
    losses = []
    for start in range(0, 1400, 50):  # one epoch in a fixed order: both runs see the same batches
        pred = model(x[start:start + 50])
        loss = loss_fn(pred, y[start:start + 50])
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    with torch.no_grad():
        correct = (model(x[1400:]).argmax(1) == y[1400:]).float().sum().item()
    return losses, correct / (len(labels) - 1400)


def test_quickstart_follows_torch_step_by_step():
    torch = _torch()
    images, labels = cr.data.digits()
    images = images.reshape(-1, 8, 8)
    rng = np.random.default_rng(2)
    init = [rng.uniform(-0.125, 0.125, s) for s in [(64, 64), (64,), (64, 64), (64,), (10, 64), (10,)]]
    ours, ours_acc = quickstart(cr, init, images, labels)
    theirs, theirs_acc = quickstart(torch, init, images, labels)
    np.testing.assert_allclose(ours, theirs, rtol=1e-3)  # the same steps, both in float32
    assert ours_acc == pytest.approx(theirs_acc)


# ---- the torch.func Jacobians tutorial ---------------------------------------------------------------
def jacobians(torch, weight, bias, x):
    from_func = torch.func

    def predict(weight, bias, x):
        return torch.nn.functional.linear(x, weight, bias).tanh()

    jac_rev = from_func.jacrev(predict, argnums=2)(weight, bias, x)
    jac_fwd = from_func.jacfwd(predict, argnums=2)(weight, bias, x)
    jac_wb = from_func.jacrev(predict, argnums=(0, 1))(weight, bias, x)
    hess = from_func.hessian(predict, argnums=2)(weight, bias, x)
    return [jac_rev, jac_fwd, *jac_wb, hess]


def test_torch_func_tutorial_matches():
    torch = _torch()
    rng = np.random.default_rng(3)
    w, b, x = rng.normal(size=(4, 4)), rng.normal(size=4), rng.normal(size=4)
    ours = jacobians(cr, cr.tensor(w), cr.tensor(b), cr.tensor(x))
    theirs = jacobians(torch, torch.tensor(w), torch.tensor(b), torch.tensor(x))
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-10, atol=1e-12)


# ---- the character-level MLP language model with batch norm (a well-known lecture series, part 3) ----
def _words(n=600, seed=0):
    """Deterministic made-up names: a letter chain with a few favoured transitions."""
    rng = np.random.default_rng(seed)
    letters = "abcdefgh"
    favoured = rng.dirichlet(np.ones(8) * 0.3, size=8)
    words = []
    for _ in range(n):
        w = [letters[rng.integers(8)]]
        for _ in range(rng.integers(2, 7)):
            w.append(letters[rng.choice(8, p=favoured[letters.index(w[-1])])])
        words.append("".join(w))
    return words


def _dataset(words, block_size=3):
    stoi = {s: i + 1 for i, s in enumerate(sorted(set("".join(words))))}
    stoi["."] = 0
    xs, ys = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            xs.append(context)
            ys.append(stoi[ch])
            context = context[1:] + [stoi[ch]]
    return np.array(xs), np.array(ys), len(stoi)


def makemore_batchnorm(torch, steps=400):
    F = torch.nn.functional
    X, Y, vocab_size = _dataset(_words())
    Xtr, Ytr = torch.tensor(X), torch.tensor(Y)
    n_embd, n_hidden, block_size, batch_size = 5, 32, 3, 32
    g = torch.Generator().manual_seed(2147483647)
    C = torch.randn((vocab_size, n_embd), generator=g)
    W1 = torch.randn((n_embd * block_size, n_hidden), generator=g) * (5 / 3) / ((n_embd * block_size) ** 0.5)
    b1 = torch.randn(n_hidden, generator=g) * 0.01
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.01
    b2 = torch.randn(vocab_size, generator=g) * 0
    bngain = torch.ones((1, n_hidden))
    bnbias = torch.zeros((1, n_hidden))
    bnmean_running = torch.zeros((1, n_hidden))
    bnstd_running = torch.ones((1, n_hidden))
    parameters = [C, W1, b1, W2, b2, bngain, bnbias]
    for p in parameters:
        p.requires_grad = True
    for i in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
        Xb, Yb = Xtr[ix], Ytr[ix]
        emb = C[Xb]
        embcat = emb.view(emb.shape[0], -1)
        hpreact = embcat @ W1 + b1
        bnmeani = hpreact.mean(0, keepdim=True)
        bnstdi = hpreact.std(0, keepdim=True)
        hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias
        with torch.no_grad():
            bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani
            bnstd_running = 0.999 * bnstd_running + 0.001 * bnstdi
        h = torch.tanh(hpreact)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, Yb)
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 300 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
    with torch.no_grad():  # the whole set, with the running statistics (evaluation mode)
        emb = C[Xtr]
        hpreact = emb.view(emb.shape[0], -1) @ W1 + b1
        hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
        return F.cross_entropy(torch.tanh(hpreact) @ W2 + b2, Ytr).item()


def test_makemore_batchnorm_mlp_reaches_torch_loss():
    torch = _torch()
    ours, theirs = makemore_batchnorm(cr), makemore_batchnorm(torch)
    # different random streams, so different batches and initial weights: the same quality, not the same bits
    assert ours == pytest.approx(theirs, rel=0.15)
    assert ours < math.log(9)  # well below guessing among the 9 symbols
