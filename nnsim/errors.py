"""The one exception type every layer raises for a user's mistake.

The command line turns it into ``nnsim: error: <message>`` and exit status 2,
so its message must be a single line that says what is wrong and where.
"""


class NnsimError(Exception):
    """A problem the user can fix: bad input, a missing file, a failed download."""
