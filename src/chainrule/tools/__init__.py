"""Tools that inspect derivatives, each built on the transforms and the recorded graph.

- `gradcheck` (PyTorch's name): chainrule's rules against central differences;
  `check_gradient`: a gradient you derived by hand, against both;
  `differences`: the one central-difference helper they (and the CLI) share.
- `trace`: the primal, tangent and adjoint trace tables of the notes;
  `dual`, `notation`: dual numbers and the notation the tables print.
- `graphviz`: drawings of the computation graph; `expr`: the safe math-string
  parser behind the command line; `diagnostics` and `report`: what training
  did inside a network; `opdocs`: docs/ops.md from the op table.
"""
