"""PyTorch's module layout: autograd, func, utils.data, cuda/device, generators and integer draws."""

import math

import numpy as np
import pytest

import chainrule as cr
from chainrule.utils.data import DataLoader, Dataset, TensorDataset, default_collate, random_split

rng = np.random.default_rng(2)


# ---- autograd ------------------------------------------------------------------------------------
def test_autograd_grad_leaves_grad_untouched_and_matches_formula():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = cr.tensor(3.0, requires_grad=True)
    gx, gy = cr.autograd.grad((x * x * y).sum(), (x, y))
    np.testing.assert_allclose(gx.numpy(), 2 * np.array([1.0, 2.0]) * 3.0)
    assert gy.item() == 5.0 and x.grad is None
    (g,) = cr.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (h,) = cr.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), [6.0, 12.0])  # d/dx Σ 3x² = 6x


def test_autograd_grad_unused_inputs_and_seeds():
    x, z = cr.tensor(1.0, requires_grad=True), cr.tensor(2.0, requires_grad=True)
    with pytest.raises(cr.ChainruleError, match="allow_unused"):
        cr.autograd.grad(x * 2, (x, z))
    assert cr.autograd.grad(x * 2, (x, z), allow_unused=True)[1] is None
    assert cr.autograd.grad(x * 2, (x, z), materialize_grads=True)[1].item() == 0.0
    v = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(cr.ChainruleError, match="grad_outputs"):
        cr.autograd.grad(v * 2, v)
    assert cr.autograd.grad(v * 2, v, grad_outputs=cr.tensor([1.0, 0.5]))[0].tolist() == [2.0, 1.0]


class LegendrePolynomial3(cr.autograd.Function):
    """P3(x) = ½(5x³ - 3x), the custom Function of PyTorch's tutorial."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


class Scale(cr.autograd.Function):
    @staticmethod
    def forward(ctx, x, factor, y):
        ctx.factor = factor
        return x * factor + y

    @staticmethod
    def backward(ctx, g):
        return g * ctx.factor, None, g


def test_function_gradients_and_second_order():
    x = rng.normal(size=5)
    assert cr.gradcheck(LegendrePolynomial3.apply, x, modes=("rev",))
    assert cr.gradcheck(lambda x: LegendrePolynomial3.apply(x).sum(), x, modes=("rev",), order=2, atol=1e-4)
    a, b = cr.tensor(x, requires_grad=True), cr.tensor(x, requires_grad=True)
    Scale.apply(a, 3.0, b).sum().backward()
    assert a.grad.tolist() == [3.0] * 5 and b.grad.tolist() == [1.0] * 5


def test_function_matches_torch_tutorial_training():
    torch = pytest.importorskip("torch")
    x = np.linspace(-math.pi, math.pi, 200)
    y = np.sin(x)

    def train(lib, function):
        f64 = np.float64 if lib is cr else torch.float64
        a, b, c, d = (lib.tensor(v, dtype=f64, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
        xs, ys = lib.tensor(x), lib.tensor(y)
        for _ in range(50):
            loss = ((a + b * function.apply(c + d * xs) - ys) ** 2).sum()
            loss.backward()
            with lib.no_grad():
                for p in (a, b, c, d):
                    p.data = p.data - 5e-6 * p.grad.data
                    p.grad = None
        return float(loss.item())

    class TorchP3(torch.autograd.Function):
        forward, backward = staticmethod(LegendrePolynomial3.forward), staticmethod(LegendrePolynomial3.backward)

    assert train(cr, LegendrePolynomial3) == pytest.approx(train(torch, TorchP3), rel=1e-9)


# ---- func -----------------------------------------------------------------------------------------
def test_func_transforms_match_torch_func():
    torch = pytest.importorskip("torch")
    x, y = rng.normal(size=3), rng.normal(size=3)

    def f(lib):
        return lambda x, y: lib.sin(x) * y ** 2

    ours = cr.func.jacrev(f(cr), argnums=(0, 1))(cr.tensor(x), cr.tensor(y))
    theirs = torch.func.jacrev(f(torch), argnums=(0, 1))(torch.tensor(x), torch.tensor(y))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    ours = cr.func.jacfwd(f(cr), argnums=1)(cr.tensor(x), cr.tensor(y))
    np.testing.assert_allclose(ours.numpy(), torch.func.jacfwd(f(torch), argnums=1)(
        torch.tensor(x), torch.tensor(y)).numpy(), rtol=1e-12)

    def g(lib):
        return lambda x, y: (lib.sin(x) * y ** 2).sum()

    hs = cr.func.hessian(g(cr), argnums=(0, 1))(cr.tensor(x), cr.tensor(y))
    ht = torch.func.hessian(g(torch), argnums=(0, 1))(torch.tensor(x), torch.tensor(y))
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(hs[i][j].numpy(), ht[i][j].numpy(), rtol=1e-12, atol=1e-14)
    out, back, aux = cr.func.vjp(lambda x: (x * 2, "aux"), cr.tensor(x), has_aux=True)
    assert aux == "aux" and back(cr.ones(3))[0].tolist() == [2.0] * 3
    (gx, gy), value = cr.func.grad_and_value(g(cr), argnums=(0, 1))(cr.tensor(x), cr.tensor(y))
    np.testing.assert_allclose(gy.numpy(), 2 * np.sin(x) * y)
    jac, aux = cr.func.jacrev(lambda x: (x ** 2, x.sum()), has_aux=True)(cr.tensor(x))
    np.testing.assert_allclose(jac.numpy(), np.diag(2 * x))
    batch = np.stack([x, 2 * x])
    np.testing.assert_allclose(cr.func.vmap(cr.func.grad(lambda v: (v ** 3).sum()))(batch).numpy(), 3 * batch ** 2)
    np.testing.assert_allclose(cr.func.vmap(lambda v: v * 2, in_dims=1, out_dims=1)(batch.T).numpy(), 2 * batch.T)


# ---- utils.data -----------------------------------------------------------------------------------
def test_dataloader_batches_shuffle_generator_and_drop_last():
    ds = TensorDataset(cr.tensor(np.arange(20.0).reshape(10, 2)), cr.tensor(np.arange(10.0)))
    batches = list(DataLoader(ds, batch_size=4))
    assert [len(b[1]) for b in batches] == [4, 4, 2] and len(DataLoader(ds, batch_size=4)) == 3
    assert len(list(DataLoader(ds, batch_size=4, drop_last=True))) == 2 == len(DataLoader(ds, 4, drop_last=True))
    first = [b[1].tolist() for b in DataLoader(ds, 3, shuffle=True, generator=cr.Generator().manual_seed(1))]
    again = [b[1].tolist() for b in DataLoader(ds, 3, shuffle=True, generator=cr.Generator().manual_seed(1))]
    assert first == again and sorted(sum(first, [])) == list(range(10)) and sum(first, []) != list(range(10))
    pairs = list(DataLoader(ds, batch_size=5, collate_fn=lambda items: len(items)))
    assert pairs == [5, 5]


def test_custom_dataset_default_collate_and_random_split():
    class Pairs(Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return {"x": np.full(2, float(i)), "y": i % 2}

    batch = next(iter(DataLoader(Pairs(), batch_size=4)))
    assert batch["x"].shape == (4, 2) and batch["y"].tolist() == [0, 1, 0, 1]
    assert default_collate([(1.0, 2), (3.0, 4)])[0].tolist() == [1.0, 3.0]
    a, b = random_split(Pairs(), [4, 2], generator=cr.Generator().manual_seed(0))
    assert len(a) == 4 and len(b) == 2 and set(a.indices).isdisjoint(b.indices)
    parts = random_split(range(10), [0.5, 0.3, 0.2])
    assert [len(p) for p in parts] == [5, 3, 2]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(10), [3, 3])


# ---- devices, generators, integer draws -------------------------------------------------------------
def test_cuda_and_device():
    assert cr.cuda.is_available() is False
    device = cr.device("cuda" if cr.cuda.is_available() else "cpu")
    assert str(device) == "cpu" and cr.device("cuda:1").index == 1
    with pytest.raises(cr.ChainruleError, match="unknown device"):
        cr.device("tpu")


def test_generators_and_integer_draws():
    g = cr.Generator().manual_seed(7)
    a = cr.randn(4, generator=g)
    assert np.array_equal(a.numpy(), cr.randn(4, generator=cr.Generator().manual_seed(7)).numpy())
    assert g.initial_seed() == 7
    x = cr.randint(0, 5, (1000,), generator=g)
    assert x.dtype == np.int64 and set(x.tolist()) == {0, 1, 2, 3, 4}
    assert cr.randint(3, (2, 2)).shape == (2, 2)
    assert sorted(cr.randperm(6, generator=g).tolist()) == list(range(6))
    counts = np.bincount(cr.multinomial(cr.tensor([0.2, 0.0, 0.8]), 4000, replacement=True,
                                        generator=g).numpy(), minlength=3)
    assert counts[1] == 0 and 0.75 < counts[2] / 4000 < 0.85
    rows = cr.multinomial(cr.tensor([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]), 2)
    assert rows.shape == (2, 2) and set(rows.numpy()[0]) == {0, 1} and set(rows.numpy()[1]) == {1, 2}
    with pytest.raises(ValueError, match="without replacement"):
        cr.multinomial(cr.tensor([1.0, 0.0]), 2)


class ScaledSquare(cr.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * x * y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * 2 * x * y, g * x * x

    @staticmethod
    def jvp(ctx, tx, ty):
        x, y = ctx.saved_tensors
        return tx * 2 * x * y + ty * x * x


def test_function_with_jvp_gives_forward_mode():
    x, y = rng.normal(size=3), rng.normal(size=3)
    assert cr.gradcheck(ScaledSquare.apply, x, y, modes=("rev", "fwd"))
    out, tangent = cr.jvp(ScaledSquare.apply, (cr.tensor(x), cr.tensor(y)), (cr.ones(3), cr.zeros(3)))
    np.testing.assert_allclose(tangent.numpy(), 2 * x * y)
    with pytest.raises(NotImplementedError, match="LegendrePolynomial3 has no JVP rule"):
        cr.jvp(LegendrePolynomial3.apply, (cr.tensor(x),), (cr.ones(3),))
