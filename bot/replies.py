"""What the conversation engine sends back: adapter-neutral reply objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.types import Answer

@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str  # callback data, always below 64 bytes (UTF-8)
    key: str = ""  # what a person may type instead of pressing it (the terminal chat shows it, unnumbered)

    def __post_init__(self) -> None:
        if len(self.data.encode()) >= 64:
            raise ValueError(f"callback data too long: {self.data!r}")


@dataclass(slots=True)
class Reply:
    """Plain text (adapters escape it), optional buttons (rows), a PNG photo or a document."""

    text: str = ""
    buttons: list[list[Button]] = field(default_factory=list)
    photo: bytes | None = None
    document: tuple[str, bytes] | None = None  # (file name, content)
    edit: bool = False  # replace the message the pressed button belongs to
    chat_id: int | None = None  # another chat (a notice to someone else); None: the chat that asked
    answer: Answer | None = None  # the answer this reply shows (its citations and choices: the `ask` contract)
    sources: tuple[str, ...] = ()  # the standards the text is drawn from (its pages go stale when they change)


@dataclass(slots=True)
class Incoming:
    """One thing a person did: a text, a command (without '/'), or a button press."""

    chat_id: int
    user_id: int
    text: str = ""
    command: str | None = None
    args: str = ""
    button: str | None = None
    user_name: str = ""
    is_admin: bool = False
    bot_username: str = ""  # for links that open this bot (t.me/<name>?start=…); "" in the terminal chat
    in_group: bool = False  # said in a group or channel, where others read the replies
    anonymous: bool = False  # sent on behalf of a chat (an anonymous group admin, a channel): user_id is that chat
