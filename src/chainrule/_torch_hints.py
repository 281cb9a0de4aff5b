"""What to say when a PyTorch name is missing: the chainrule name that does the same, or that it is absent.

Each package's module-level `__getattr__` (PEP 562) calls `missing(module, name)`,
which raises AttributeError (so `hasattr` keeps working) with the hint.
"""

from __future__ import annotations

HINTS = {
    "chainrule": {
        "from_numpy": "cr.as_tensor (it shares the array's memory, as torch.from_numpy)",
        "empty": "cr.zeros", "empty_like": "cr.zeros_like",
        "mm": "cr.matmul", "bmm": "cr.matmul", "concat": "cr.cat",
        "inference_mode": "cr.no_grad",
        "autocast": "nothing (chainrule computes in the tensors' own dtype)",
        "compile": "nothing (chainrule runs eagerly); call the function itself",
        "jit": "nothing (chainrule runs eagerly); call the function itself",
        "Size": "a tuple (x.shape is a tuple)",
        "vmap": "a loop over the batch stacked with cr.stack (chainrule.func.vmap does not exist yet)",
    },
    "chainrule.nn": {
        "ParameterList": "nn.ModuleList of modules holding the parameters, or attributes p0, p1, ...",
        "Softmax2d": "nn.Softmax(dim=1)",
        "PReLU": "nn.LeakyReLU (a fixed slope)",
        "ConvTranspose2d": "nothing yet: chainrule.ops.conv.conv2d_input_grad is the transposed convolution op",
        "MultiheadAttention": "nothing yet: compose it from nn.Linear, cr.matmul and nn.Softmax",
        "DataParallel": "the module itself (chainrule runs in one process)",
        "CrossEntropy": "nn.CrossEntropyLoss",
        "MSE": "nn.MSELoss",
    },
    "chainrule.nn.functional": {
        "dropout2d": "F.dropout (elementwise)", "softmax2d": "F.softmax(x, axis=1)",
        "cross_entropy_loss": "F.cross_entropy", "mse": "F.mse_loss",
        "conv_transpose2d": "chainrule.ops.conv.conv2d_input_grad (the adjoint of conv2d's input)",
        "max_pool3d": "nothing yet (pooling is 1-D and 2-D)", "conv3d": "nothing yet (convolution is 1-D and 2-D)",
        "scaled_dot_product_attention": "softmax(q @ k.T / √d) @ v with cr.matmul and F.softmax",
    },
    "chainrule.optim": {
        "SparseAdam": "optim.Adam", "ASGD": "optim.SGD", "Rprop": "optim.RMSprop or optim.Adam",
        "RAdam": "optim.Adam", "swa_utils": "nothing yet",
    },
}


def missing(module, name):
    """Raise AttributeError for `module.name`, with the chainrule equivalent when there is one."""
    if name.startswith("__"):
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    hint = HINTS.get(module, {}).get(name)
    short = module.replace("chainrule", "cr", 1)
    if hint is None:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    if hint.startswith("nothing"):
        raise AttributeError(f"{short}.{name} does not exist in chainrule: {hint}")
    raise AttributeError(f"{short}.{name} does not exist in chainrule; use {hint}")
