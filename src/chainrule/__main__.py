"""`python -m chainrule`: the command line (see chainrule.cli.main)."""

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the command loads: one line, as everywhere else
    import sys

    print("chainrule: interrupted", file=sys.stderr)
    raise SystemExit(130) from None

raise SystemExit(main())
