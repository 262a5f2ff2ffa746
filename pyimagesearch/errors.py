"""The one exception type that command-line tools turn into a one-line error."""


class InputError(Exception):
    """Bad input from the user: a missing or corrupt file, an impossible flag.

    The scripts print its message on one line and exit with status 2.
    """


EXIT_BAD_INPUT = 2


def first_line(error: BaseException, limit: int = 200) -> str:
    """A library's exception, told in one short line for an InputError: its type and
    the first line of its message (runtimes raise many kinds, with long messages)."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0][:limit]}" if text else type(error).__name__


def cli_main(main):
    """Wrap a command-line ``main``: an InputError becomes one ``[ERROR]`` line on
    stderr and exit status 2 instead of a traceback; otherwise main's status (0 if None)."""
    import functools
    import sys

    @functools.wraps(main)
    def wrapped(*args, **kwargs):
        try:
            return main(*args, **kwargs) or 0
        except InputError as e:
            print(f"[ERROR] {e}", file=sys.stderr)
            return EXIT_BAD_INPUT

    return wrapped


def run_resumable(main):
    """Entry point of a training script: one-line errors as in cli_main, and Ctrl-C
    prints the KeyboardInterrupt's message (how to go on, when the trainer knows)
    instead of a traceback. Exits the process."""
    import sys
    try:
        status = cli_main(main)()
    except KeyboardInterrupt as e:
        print(f"\n[INFO] interrupted{': ' + str(e) if str(e) else ''}", file=sys.stderr)
        status = 130
    sys.exit(status)
