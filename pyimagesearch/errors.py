"""The one exception type that command-line tools turn into a one-line error."""


class InputError(Exception):
    """Bad input from the user: a missing or corrupt file, an impossible flag.

    The scripts print its message on one line and exit with status 2.
    """


EXIT_BAD_INPUT = 2
