"""`competency-bot chat`: the same engine in a terminal; buttons become numbered choices.

Reads stdin line by line (a pipe works), so no token is needed. Typing the number of a
choice presses that button; a line starting with '/' is a command. Assessment answers are
typed as they are in Telegram (「2」, 「能獨立完成」, 「略過」): the engine reads them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from bot.replies import Button, Incoming, Reply
from bot.services import Services
from prompts import raw, t

LOCAL_CHAT_ID = 0  # the terminal is one chat of its own (Telegram ids are never 0)


def parse_line(line: str, choices: list[Button], user_id: int, is_admin: bool) -> Incoming:
    """What a typed line means: a numbered choice, a '/command args', or a question."""
    text = line.strip()
    base = {"chat_id": LOCAL_CHAT_ID, "user_id": user_id, "is_admin": is_admin}
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return Incoming(button=choices[int(text) - 1].data, **base)
    named = next((b for b in choices if text and text in (b.label, b.label.split(" ", 1)[-1])), None)
    if named is not None:  # typing a choice's label ("略過") presses it too
        return Incoming(button=named.data, **base)
    if text.startswith("/") and len(text) > 1:
        head, *rest = text.split(maxsplit=1)
        return Incoming(command=head[1:].split("@")[0].lower(), args=rest[0] if rest else "", **base)
    return Incoming(text=line.rstrip("\r\n"), **base)


def render(replies: list[Reply], out: TextIO, files_dir: Path) -> list[Button]:
    """Print the replies; return the numbered buttons, in the order of their numbers. A button with a key
    (an assessment answer) is shown unnumbered: typing its key is a message the engine reads."""
    choices: list[Button] = []
    typed = False
    for number, reply in enumerate(replies):
        if reply.chat_id is not None:  # a notice for someone else's chat: shown as such, no buttons
            out.write(t("bot.chat_notice", chat=reply.chat_id, text=reply.text.rstrip()) + "\n")
            continue
        if reply.photo is not None:
            out.write(t("bot.chat_photo_saved", path=_save(files_dir, f"chart-{number}.png", reply.photo)) + "\n")
        if reply.document is not None:
            name, content = reply.document
            out.write(t("bot.chat_document_saved", path=_save(files_dir, name, content)) + "\n")
        if reply.text:
            out.write(reply.text.rstrip() + "\n")
        for button in (b for row in reply.buttons for b in row):
            if button.key:
                typed = True
                out.write(t("bot.chat_typed_choice", label=button.label) + "\n")
                continue
            choices.append(button)
            out.write(t("bot.chat_choice", number=len(choices), label=button.label) + "\n")
    if choices:
        out.write(t("bot.chat_choice_hint") + "\n")
    if typed:
        out.write(t("bot.chat_typed_hint") + "\n")
    out.write("\n")
    out.flush()
    return choices


def _save(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(name).name
    path.write_bytes(content)
    return path


def run_chat(
    services: Services, stdin: TextIO, stdout: TextIO, user_id: int = LOCAL_CHAT_ID, is_admin: bool = True
) -> int:
    """Chat with the engine until end of input or a quit word; returns an exit status."""
    interactive = stdin.isatty()
    files_dir = services.settings.exports_dir
    quit_words = {w.lower() for w in raw("bot.chat_quit_words")}
    stdout.write(t("bot.chat_intro") + "\n")
    start = Incoming(chat_id=LOCAL_CHAT_ID, user_id=user_id, command="start", is_admin=is_admin)
    choices = render(services.engine.handle(start), stdout, files_dir)
    while True:
        if interactive:
            stdout.write(t("bot.chat_prompt"))
            stdout.flush()
        line = stdin.readline()
        if not line or line.strip().lower() in quit_words:
            break
        if not line.strip():
            continue
        incoming = parse_line(line, choices, user_id, is_admin)
        choices = render(services.engine.handle(incoming), stdout, files_dir)
    stdout.write(t("bot.chat_bye") + "\n")
    stdout.flush()
    return 0
