"""`chainrule exercise list | show N | check N ANSWER...`: the notes' exercises, stated and checked.

An answer is numbers (one argument per entry; a matrix as a nested list
'[[1, 2], [3, 4]]'; fractions like 1/2 are fine), or the path of a Python
file defining the exercise's function, which is imported (never eval'd).
`check` exits 0 on OK and 1 on WRONG.
"""

from __future__ import annotations


def add_parser(commands):
    p = commands.add_parser("exercise", help="the lecture notes' exercises: list, show, check your answer")
    sub = p.add_subparsers(dest="exercise_command")  # the same one-line-error parser class as p
    sub.add_parser("list", help="every exercise, one a line")
    show = sub.add_parser("show", help="the task, its data and how to answer")
    show.add_argument("key", help="e.g. 002-f (see: chainrule exercise list)")
    check = sub.add_parser("check", help="check your answer: numbers, or a Python file")
    check.add_argument("key")
    check.add_argument("answer", nargs="+", help="one value per entry, or a .py file defining the function")


def run_exercise(args) -> int:
    from ..tools import exercises

    command = getattr(args, "exercise_command", None)
    if command in (None, "list"):
        for ex in exercises.EXERCISES.values():
            print(f"{ex.key:12} {ex.title}")
        return 0
    if command == "show":
        print(exercises.show(args.key))
        return 0
    verdict = exercises.check(args.key, args.answer)
    print(verdict)
    return 0 if verdict.ok else 1
