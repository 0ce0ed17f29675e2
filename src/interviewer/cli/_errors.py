"""Running the app: every error becomes an exit status and one line on stderr.

Exit status: 0 done; 2 bad input or settings (one line on stderr, no traceback);
3 stopped at a --max-usd / --max-tokens budget (resumable); 1 anything else;
130 interrupted.
"""

from __future__ import annotations

import errno
import sys

import typer

from interviewer.errors import InterviewerError
from interviewer.storage import DISK_FULL_HINT, DiskFullError
from interviewer.usage import BudgetReached

INTERRUPTED = 130
_USER_ERRNOS = (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.ENOENT, errno.EISDIR)
_RESUMABLE = ("interview", "survey")
# Pydantic's prefix on what typer's choice check raised: noise in a one-line message.
_VALIDATOR_PREFIX = "Value error, "


def run_app(app: typer.Typer, args: list[str]) -> int:
    """Run ``app`` on ``args``; return its exit status, having printed any error as one line."""
    command = _command_name(args)
    try:
        # Not standalone: typer would print usage errors as a multi-line panel and turn
        # Ctrl-C into a silent Exit(130); here each becomes one line.
        status = app(args=args, prog_name="interviewer", standalone_mode=False)
    except typer.TyperException as exc:  # usage errors: bad flag, choice or range
        ctx = getattr(exc, "ctx", None)
        where = f" (see {ctx.command_path} --help)" if ctx is not None else ""
        text = _one_line(exc.format_message()).replace(_VALIDATOR_PREFIX, "")
        print(f"interviewer: error: {text}{where}", file=sys.stderr)
        return exc.exit_code
    except typer.Abort:
        print("interviewer: aborted", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        status = INTERRUPTED
    except BudgetReached as exc:
        print(f"interviewer: {exc}; {_continue_hint(command)}", file=sys.stderr)
        return exc.exit_code
    except DiskFullError as exc:
        text = str(exc).removesuffix(DISK_FULL_HINT) + _rerun_hint(command, "free space")
        print(f"interviewer: error: {_one_line(text)}", file=sys.stderr)
        return exc.exit_code
    except InterviewerError as exc:
        print(f"interviewer: error: {_one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        # A read-only or missing folder, a permission: the user's to fix, so one line.
        name = f"{exc.filename}: " if exc.filename else ""
        print(f"interviewer: error: {name}{exc.strerror or exc}", file=sys.stderr)
        return 2 if exc.errno in _USER_ERRNOS else 1
    if status == INTERRUPTED:  # typer's own mapping of Ctrl-C, or ours above
        hint = _rerun_hint(command, "what was written is kept")
        print(f"interviewer: interrupted; {hint}", file=sys.stderr)
        return INTERRUPTED
    return status if isinstance(status, int) else 0


def _command_name(args: list[str]) -> str:
    """The subcommand in ``args`` (the root options take no values)."""
    return next((a for a in args if not a.startswith("-")), "")


def _rerun_hint(command: str, first: str) -> str:
    """What to do after a stop: only interview and survey have --resume; eval --suite,
    demo and demographics keep finished work and carry on when run again."""
    if command in _RESUMABLE:
        return f"{first}, then the same command with --resume finishes it"
    return f"{first}, then run the command again"


def _continue_hint(command: str) -> str:
    """After a budget stop: each run gets the whole budget again."""
    if command in _RESUMABLE:
        return "what was written is kept; the same command with --resume continues it"
    return "what was written is kept; run the command again to continue"


def _one_line(text: str) -> str:
    return " ".join(text.split())
