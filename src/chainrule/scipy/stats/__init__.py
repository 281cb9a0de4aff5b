"""`chainrule.scipy.stats`: densities of scipy.stats distributions, differentiable in every argument.

Each distribution is a module of functions with scipy.stats' signatures
(`norm.logpdf(x, loc=0, scale=1)`), built from chainrule ops and the rows of
chainrule.special, so gradients of any order flow to the data and to the
parameters (except where a row says otherwise: the shape parameter of a
gamma or t cdf). Outside a distribution's support the density is 0 (log
density -inf) with gradient 0, as scipy gives.

Example:
    >>> from chainrule.scipy.stats import norm
    >>> round(float(norm.pdf(0.0)), 6)
    0.398942
"""

from . import beta, chi2, dirichlet, gamma, multivariate_normal, norm, poisson, t

__all__ = ["beta", "chi2", "dirichlet", "gamma", "multivariate_normal", "norm", "poisson", "t"]
