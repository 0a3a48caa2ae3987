"""Reading a credential given as text that is either its content or the path of its file.

Keys, passwords and service-account JSON arrive through environment variables and options that
take "a path or the text itself". A value that is neither an existing file nor the expected text
may be the secret itself in the wrong place (a key's base64 body without its BEGIN/END lines, a
password set in the key's variable): messages then name where the value came from (the variable
or option) and what is wrong with it, and never show the value.
"""

from __future__ import annotations

import errno
from pathlib import Path

from passkit.errors import SigningError
from passkit.files import CREDENTIAL_LIMIT, read_limited

# Errors saying that a text does not name a file at all (as opposed to a file we cannot read).
_NOT_A_PATH = {errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG, errno.EINVAL, errno.ELOOP}


def read_secret_file(
    value: str, origin: str, what: str, expected: str | None = None
) -> tuple[bytes, Path]:
    """The bytes of the file `value` names, and its path.

    `origin` names where `value` came from (an environment variable, an option, an argument);
    `what` is the credential (for example "key"); `expected` is the text form it may have
    instead of a path (for example "PEM text (-----BEGIN ...-----)"), None when only a path is
    accepted.
    Raises SigningError naming `origin`, never showing `value`.
    """
    path = Path(value).expanduser()
    try:
        return read_limited(path, CREDENTIAL_LIMIT, what, SigningError), path
    except ValueError:  # a NUL character: no file has such a name
        pass
    except IsADirectoryError:
        raise SigningError(f"{origin} names a folder, not the {what} file") from None
    except OSError as exc:
        if exc.errno not in _NOT_A_PATH:
            raise SigningError(
                f"{origin} names a {what} file that cannot be read ({exc.strerror})"
            ) from None
    hidden = "(its value is not shown: it may be a secret)"
    if expected is None:
        raise SigningError(
            f"{origin} does not name an existing file {hidden}; give the path of the {what} file"
        )
    raise SigningError(
        f"{origin} holds neither {expected} nor the path of an existing file {hidden}; set it to"
        f" the path of the {what} file or to its {expected}"
    )
