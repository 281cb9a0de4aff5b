"""Tools that inspect derivatives: gradient checks (traces and drawings come later)."""
