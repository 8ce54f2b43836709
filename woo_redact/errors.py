"""Typed errors and exit codes, in the manner of OCRmyPDF.

Every error a user can fix is an exception with an exit code and a one-line message that names the file
and the reason. The CLI turns them into that one line; the batch records them and goes on.
"""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    bad_args = 1
    input_file = 2  # some inputs could not be processed
    missing_dependency = 3
    verification_failed = 4  # an output failed verification and was not written
    file_access_error = 5
    rules_error = 6
    encrypted_pdf = 8
    other_error = 15
    ctrl_c = 130


class WooRedactError(Exception):
    exit_code = ExitCode.other_error


class BadArguments(WooRedactError):
    """The command cannot do what it was asked as asked (an output folder inside the input folder)."""

    exit_code = ExitCode.bad_args


class RulesError(WooRedactError):
    """A rules file is missing or invalid."""

    exit_code = ExitCode.rules_error


class InputFileError(WooRedactError):
    """An input cannot be read: not a PDF, corrupt, empty."""

    exit_code = ExitCode.input_file


class EncryptedPdfError(InputFileError):
    exit_code = ExitCode.encrypted_pdf


class VerificationError(WooRedactError):
    """A redacted output still contains something that had to go."""

    exit_code = ExitCode.verification_failed


class OutputError(WooRedactError):
    exit_code = ExitCode.file_access_error


class OutputWriteError(OutputError):
    """The output folder cannot take more (disk full, file too large, read-only, no permission): the
    batch stops, and running the same command again continues once that is fixed."""

    exit_code = ExitCode.file_access_error
