"""Small factories for modal inputs, one per field, so every modal spells a field the same way.

Block id and action id are the same `Field` string (see handlers/ids.py). Modelled on Dispatch's
plugins/dispatch_slack/fields.py: `status_select(initial=...)` returns a ready input block.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from slack_sdk.models.blocks import (
    DatePickerElement,
    DateTimePickerElement,
    EmailInputElement,
    ExternalDataMultiSelectElement,
    ExternalDataSelectElement,
    InputBlock,
    InputInteractiveElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
    UrlInputElement,
)
from slack_sdk.models.blocks.block_elements import FileInputElement  # not re-exported by the package

from crm.influencers import named_by_handle
from crm.models import INTERACTION_TYPES, PLATFORMS, RELATIONSHIP_STATUSES, Campaign, Influencer
from crm.profiles import platform_label
from handlers.blocks.text import INPUT_MAX, OPTION_TEXT, OPTION_VALUE, OPTIONS, mrkdwn, plain
from handlers.ids import Field

INTERACTION_TYPE_LABELS = {
    "email": "Email",
    "call": "Call",
    "meeting": "Meeting",
    "note": "Note",
    "file_upload": "File",
}
PRIORITY_LABELS = {0: "0 – none", 1: "1 – low", 2: "2", 3: "3 – medium", 4: "4", 5: "5 – top"}
STATUS_LABELS = {
    "saved": "Saved",
    "contacted": "Contacted",
    "warm": "Warm",
    "cold": "Cold",
    "partnered": "Partnered",
}


def creator_label(name: str, handle: str, platform: str | None, *, limit: int = 200) -> str:
    """'*Maya Lopez* (@maya · Instagram)', escaped: how a message names a creator. The platform is
    always there, so two creators with one handle on two platforms read apart."""
    shown = mrkdwn(platform_label(platform))
    return f"*{mrkdwn(name, limit)}* (@{mrkdwn(handle, limit // 2)} · {shown})"


def who(influencer: Influencer) -> str:
    """creator_label of an Influencer."""
    return creator_label(influencer.name, influencer.handle, influencer.platform)


def kept_note(kept: dict[str, str]) -> str:
    """Lines saying which saved values an add kept over the ones given (crm.influencers.kept_over),
    and how to change them; '' when none."""
    note = ""
    if "name" in kept:
        note += f"\nThe name stays *{mrkdwn(kept['name'], 200)}* (`/crm rename` changes it for everyone)."
    if "email" in kept:
        note += f"\nThe e-mail stays {mrkdwn(kept['email'], 255)} (*Edit* changes it)."
    return note


def status_label(status: str | None) -> str:
    """'Warm' for 'warm'; never 'None' (a row without a status reads 'No status')."""
    if not status:
        return "No status"
    return STATUS_LABELS.get(status, status.capitalize())


MAX_TAGS = 20


def option(text: str, value: str) -> Option:
    """An option whose text fits Slack's 75 characters and whose value its 150."""
    if len(value) > OPTION_VALUE:
        raise ValueError(f"option value longer than {OPTION_VALUE} characters: {value[:20]}…")
    return Option(text=PlainTextObject(text=plain(text, OPTION_TEXT), emoji=False), value=value)


def influencer_option(influencer: Influencer) -> Option:
    """'Maya Lopez (@maya · instagram)' with the influencer id as value."""
    platform = platform_label(influencer.platform)
    label = f"{influencer.name} (@{influencer.handle} · {platform})"
    if named_by_handle(influencer):
        label = f"@{influencer.handle} · {platform}"
    return option(label, str(influencer.id))


def campaign_option(campaign: Campaign) -> Option:
    return option(campaign.name, str(campaign.id))


def tag_option(tag: str) -> Option:
    return option(f"#{tag}", tag[:OPTION_VALUE])


def _input(
    field: Field,
    label: str,
    element: InputInteractiveElement,
    *,
    optional: bool = False,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=PlainTextObject(text=label),
        element=element,
        optional=optional,
        hint=PlainTextObject(text=hint) if hint else None,
    )


def _static(field: Field, options: Sequence[Option], initial: str | None, placeholder: str):
    chosen = next((o for o in options if o.value == initial), None)
    return StaticSelectElement(
        action_id=field,
        placeholder=PlainTextObject(text=placeholder),
        options=list(options)[:OPTIONS],
        initial_option=chosen,
    )


def status_select(initial: str | None = None, *, field: Field = Field.RELATIONSHIP_STATUS) -> InputBlock:
    options = [option(status_label(s), s) for s in RELATIONSHIP_STATUSES]
    return _input(field, "Status", _static(field, options, initial, "Choose a status"))


def priority_select(initial: int | None = None) -> InputBlock:
    options = [option(label, str(p)) for p, label in PRIORITY_LABELS.items()]
    field = Field.RELATIONSHIP_PRIORITY
    initial_value = None if initial is None else str(initial)
    return _input(field, "Priority", _static(field, options, initial_value, "0 (none) to 5 (top)"))


def interaction_type_select(initial: str | None = None) -> InputBlock:
    options = [option(INTERACTION_TYPE_LABELS[t], t) for t in INTERACTION_TYPES]
    field = Field.INTERACTION_TYPE
    return _input(field, "Type", _static(field, options, initial, "Email, call, meeting…"))


def platform_select(initial: str | None = None) -> InputBlock:
    options = [option(platform_label(p), p) for p in PLATFORMS]
    field = Field.INFLUENCER_PLATFORM
    return _input(
        field,
        "Platform",
        _static(field, options, initial, "Taken from the URL if you give one"),
        optional=True,
        hint="Leave empty to take it from the profile URL (Instagram when there is none).",
    )


def campaign_select(campaigns: Iterable[Campaign], initial: str | None = None) -> InputBlock | None:
    """An optional picker over the team's campaigns (Slack shows at most 100); None if there are none."""
    options = [campaign_option(c) for c in campaigns][:OPTIONS]
    if not options:
        return None
    field = Field.INTERACTION_CAMPAIGN
    return _input(field, "Campaign", _static(field, options, initial, "None"), optional=True)


def influencer_select(
    initial: Influencer | None = None, *, field: Field = Field.INTERACTION_INFLUENCER
) -> InputBlock:
    """Influencer typeahead over the team directory (options served by handlers/actions/options.py).

    An external select rather than a static one: a user may have thousands of relationships and a
    static select shows only 100.
    """
    element = ExternalDataSelectElement(
        action_id=field,
        placeholder=PlainTextObject(text="Type a name or @handle"),
        initial_option=influencer_option(initial) if initial else None,
        min_query_length=0,
    )
    return _input(field, "Influencer", element)


def tags_select(initial: Sequence[str] = ()) -> InputBlock:
    """Tags as a multi_external_select: the options request echoes what was typed as a new tag.

    Slack's static multi-select cannot take values that are not in its list; an external one can,
    because our options listener returns the typed text itself (normalised) next to existing tags.
    """
    field = Field.RELATIONSHIP_TAGS
    element = ExternalDataMultiSelectElement(
        action_id=field,
        placeholder=PlainTextObject(text="Type a tag"),
        initial_options=[tag_option(t) for t in initial][:MAX_TAGS] or None,
        min_query_length=1,
        max_selected_items=MAX_TAGS,
    )
    return _input(
        field, "Tags", element, optional=True, hint="Type to add a new tag or pick an existing one."
    )


def date_picker(field: Field, label: str, initial: date | None = None, *, optional: bool = True, hint=None):
    element = DatePickerElement(
        action_id=field,
        initial_date=initial.isoformat() if initial else None,
        placeholder=PlainTextObject(text="Pick a date"),
    )
    return _input(field, label, element, optional=optional, hint=hint)


def datetime_picker(field: Field, label: str, initial: datetime) -> InputBlock:
    return _input(
        field, label, DateTimePickerElement(action_id=field, initial_date_time=int(initial.timestamp()))
    )


def text_input(
    field: Field,
    label: str,
    initial: str | None = None,
    *,
    multiline: bool = False,
    max_length: int = INPUT_MAX,
    optional: bool = True,
    placeholder: str | None = None,
    hint: str | None = None,
) -> InputBlock:
    """A plain-text input; an initial value longer than `max_length` is cut (Slack would reject the view)."""
    element = PlainTextInputElement(
        action_id=field,
        initial_value=initial[:max_length] if initial else None,
        multiline=multiline,
        max_length=max_length,
        placeholder=PlainTextObject(text=placeholder) if placeholder else None,
    )
    return _input(field, label, element, optional=optional, hint=hint)


def url_input(field: Field, label: str, initial: str | None = None, *, optional: bool = False) -> InputBlock:
    element = UrlInputElement(
        action_id=field,
        initial_value=initial or None,
        placeholder=PlainTextObject(text="https://…"),
    )
    return _input(field, label, element, optional=optional)


def email_input(
    field: Field, label: str, initial: str | None = None, *, hint: str | None = None
) -> InputBlock:
    """An optional e-mail address (Slack checks its form; crm.users.validate_email does again)."""
    element = EmailInputElement(
        action_id=field, initial_value=initial or None, placeholder=PlainTextObject(text="name@example.com")
    )
    return _input(field, label, element, optional=True, hint=hint)


def file_input(field: Field = Field.INTERACTION_FILE) -> InputBlock:
    """One file; its permalink becomes the interaction's file_url."""
    return _input(
        field,
        "File",
        FileInputElement(action_id=field, max_files=1),
        optional=True,
        hint="For the File type: the file's Slack link is stored with the interaction.",
    )
