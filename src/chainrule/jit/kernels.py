"""Kernels: faster NumPy forms of ops, writing into buffers the plan allocates once."""

from __future__ import annotations


def forward_kernel(op, inputs, params, value):
    return None


def describe_update(obj, name):
    return ""
