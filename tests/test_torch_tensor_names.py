"""PyTorch's tensor names: the same values (and gradients) as the chainrule functions they stand for."""

import numpy as np
import pytest

import chainrule as cr

rng = np.random.default_rng(4)


def test_methods_and_functions_by_torch_name():
    x = cr.tensor(rng.normal(size=(2, 3)), requires_grad=True)
    assert x.pow(2).tolist() == (x ** 2).tolist()
    assert x.view(3, 2).shape == (3, 2) and x.view(-1).shape == (6,) and x.view_as(cr.zeros((6, 1))).shape == (6, 1)
    assert x.numel() == x.nelement() == cr.numel(x) == 6 and x.dim() == 2
    assert x.clamp(-0.1, 0.1).numpy().max() <= 0.1 and cr.clamp(x, min=0.0).numpy().min() >= 0.0
    assert x.float().dtype == np.float32 and x.double().dtype == np.float64 and x.half().dtype == np.float16
    assert x.long().dtype == np.int64 and not x.long().requires_grad and x.int().dtype == np.int32
    assert x.float().type() == "FloatTensor" and x.long().type() == "LongTensor"
    assert x.type(np.float32).dtype == np.float32
    assert cr.movedim(cr.zeros((2, 3, 4)), (0, 1), (2, 0)).shape == np.moveaxis(np.zeros((2, 3, 4)), (0, 1),
                                                                                   (2, 0)).shape
    assert x.movedim(0, 1).shape == (3, 2) and x.t().shape == (3, 2)
    assert cr.cat([x, x], dim=1).shape == (2, 6) and cr.unsqueeze(x, 0).shape == (1, 2, 3)
    assert x.eq(x).numpy().all() and not x.ne(x).numpy().any() and cr.eq(x, x).numpy().all()
    assert cr.allclose(x, x + 1e-12) and x.allclose(x) and not cr.allclose(x, x + 1)
    assert cr.is_tensor(x) and x.is_floating_point() and x.new_zeros(2, 2).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    np.testing.assert_allclose(cr.log10(cr.tensor([1.0, 1000.0])).numpy(), [0.0, 3.0], atol=1e-15)


def test_clone_copies_and_keeps_the_gradient():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y.numpy() is not x.numpy() and not np.shares_memory(y.numpy(), x.numpy())
    (y * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_casts_keep_gradients_for_floats():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    (x.float() * 2).sum().backward()
    assert x.grad.dtype == np.float64 and x.grad.tolist() == [2.0, 2.0]


def test_topk_values_indices_and_gradient():
    x = rng.normal(size=(3, 5))
    values, indices = cr.topk(cr.tensor(x), 2, dim=1)
    np.testing.assert_array_equal(indices.numpy(), np.argsort(-x, axis=1)[:, :2])
    np.testing.assert_array_equal(values.numpy(), -np.sort(-x, axis=1)[:, :2])
    small = cr.tensor(x).topk(1, dim=0, largest=False)
    np.testing.assert_array_equal(small.values.numpy()[0], x.min(axis=0))
    assert cr.gradcheck(lambda x: cr.topk(x, 3, dim=1).values, x, modes=("rev", "fwd"))
    with pytest.raises(ValueError, match="out of range"):
        cr.topk(cr.tensor(x), 6)


def test_against_torch():
    torch = pytest.importorskip("torch")
    x = rng.normal(size=(4, 6))
    v, i = cr.topk(cr.tensor(x), 3, dim=0)
    tv, ti = torch.topk(torch.tensor(x), 3, dim=0)
    np.testing.assert_array_equal(v.numpy(), tv.numpy())
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    hist, edges = cr.histogram(cr.tensor(x), bins=5)
    thist, tedges = torch.histogram(torch.tensor(x), bins=5)
    np.testing.assert_allclose(hist.numpy(), thist.numpy())
    np.testing.assert_allclose(edges.numpy(), tedges.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(cr.movedim(cr.tensor(x.reshape(2, 3, 4)), 2, 0).numpy(),
                                  torch.movedim(torch.tensor(x.reshape(2, 3, 4)), 2, 0).numpy())
    np.testing.assert_allclose(cr.clamp(cr.tensor(x), -0.5, 0.5).numpy(), torch.clamp(torch.tensor(x), -0.5, 0.5))


def test_torch_keywords_and_unknown_keywords_on_methods():
    x = cr.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.sum(dim=1, keepdim=True).shape == (2, 1) and x.mean(dim=0).tolist() == [2.0, 3.0]
    with pytest.raises(TypeError, match=r"Tensor.sum\(\) got an unexpected keyword argument 'foo'; it takes axis"):
        x.sum(foo=1)


def test_missing_torch_names_say_what_to_use():
    for module, name, message in [(cr, "from_numpy", "use cr.as_tensor"),
                                  (cr.nn, "ParameterList", "use nn.ModuleList"),
                                  (cr.nn.functional, "conv3d", "does not exist in chainrule: nothing yet"),
                                  (cr.optim, "RAdam", "use optim.Adam")]:
        with pytest.raises(AttributeError, match=message):
            getattr(module, name)
    assert not hasattr(cr, "no_such_name") and not hasattr(cr.nn, "NoSuchLayer")


def test_unknown_keywords_of_functions_list_the_keywords_taken():
    with pytest.raises(TypeError, match=r"nn.functional.mse_loss\(\) got an unexpected keyword argument 'keepdim'; "
                                        r"it takes input, target"):
        cr.nn.functional.mse_loss(cr.ones(2), cr.ones(2), keepdim=True)
    with pytest.raises(TypeError, match=r"cr.conv2d\(\) .* 'padd'; it takes input, weight, bias, stride, padding"):
        cr.conv2d(cr.ones((1, 1, 3, 3)), cr.ones((1, 1, 2, 2)), padd=1)


def test_unknown_keywords_of_layers_name_the_layer():
    with pytest.raises(TypeError, match=r"nn.Conv2d\(\) got an unexpected keyword argument 'paddin'; it takes "
                                        r"in_channels, out_channels, kernel_size, stride, padding"):
        cr.nn.Conv2d(1, 2, 3, paddin=1)
    with pytest.raises(TypeError, match=r"nn.MaxPool1d\(\) .* 'strides'"):
        cr.nn.MaxPool1d(2, strides=1)
    with pytest.raises(TypeError, match=r"nn.LSTM\(\) .* 'batchfirst'; it takes input_size"):
        cr.nn.LSTM(2, 3, batchfirst=True)
