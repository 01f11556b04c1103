"""How the tracker hands e-mails over: to the mail server (SMTP, the MAIL_* settings), or,
in development without a mail server, to files in ``instance/mail/`` that can be opened
with any mail reader (MAIL_BACKEND=files). Used by the outbox and the daily digest."""

from __future__ import annotations

import smtplib
from datetime import datetime
from pathlib import Path

from flask import Flask
from flask_mail import Connection, Message, email_dispatched

from tracker.extensions import mail


def backend_of(app: Flask) -> str:
    """``smtp`` or ``files``: MAIL_BACKEND when set; otherwise ``files`` in development
    when no MAIL_SERVER was given, ``smtp`` everywhere else."""
    return app.config.get("MAIL_BACKEND") or "smtp"


class MailConnection:
    """One connection for a whole run, opened on first use and opened again after an error.
    The MAIL_* settings are read when the run starts (not when the app started), so that a
    run, or a test, may point at another server."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._files = backend_of(app) == "files"
        self._mail = mail.init_mail(app.config, app.debug, app.testing)
        self._connection: Connection | None = None

    def send(self, message: Message) -> None:
        if self._files and not self._mail.suppress:
            self._write(message)
            return
        try:
            if self._connection is None:
                connection = Connection(self._mail)
                self._connection = connection.__enter__()  # connects (unless suppressed)
            self._connection.send(message)
        except BaseException:
            self.close()  # whatever state the connection is in, the next message starts afresh
            raise

    def _write(self, message: Message) -> None:
        folder = Path(self._app.instance_path) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        recipient = "".join(c if c.isalnum() or c in "@.-_" else "_" for c in message.recipients[0])
        (folder / f"{stamp}-{recipient}.eml").write_bytes(message.as_bytes())
        email_dispatched.send(self._app, message=message)

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None or connection.host is None:
            return
        try:
            connection.host.quit()
        except (smtplib.SMTPException, OSError):
            connection.host.close()
