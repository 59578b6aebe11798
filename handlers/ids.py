"""Every Slack id the app uses, in one place: slash command, callback ids, block ids, action ids.

Kebab-case and namespaced by what they belong to. manifest.yml repeats COMMAND and the shortcut
callback ids; tests/test_manifest.py checks that the two agree.

Input blocks use the same string as block id and action id, so `handlers.forms.form_values` can
key a submission by block id and an options request (which names the action) finds its field.
"""

from __future__ import annotations

from enum import StrEnum

COMMAND = "/crm"


class Shortcut(StrEnum):
    LOG_TO_CRM = "log-to-crm"


class Event(StrEnum):
    APP_HOME_OPENED = "app_home_opened"
    LINK_SHARED = "link_shared"  # a creator's profile link pasted: unfurled with public facts
    MESSAGE = "message"  # manifest: message.im; a CSV shared in the bot's DM is previewed for import


class FollowUpAction(StrEnum):
    """Buttons on the follow-up reminder DM (scheduler) and on cards."""

    DONE = "followup-done"
    SNOOZE = "followup-snooze"  # a static_select / overflow whose values are "1", "3", "7" (days)
    LOG = "followup-log-interaction"


class GoingColdAction(StrEnum):
    """Buttons under a going-cold relationship (reminder DM, App Home); the value is its id."""

    LOG = "going-cold-log-contact"
    SNOOZE = "going-cold-snooze-week"
    MARK_COLD = "going-cold-mark-cold"
    UNDO_MARK_COLD = "going-cold-undo-mark-cold"  # the value is "<relationship id>:<status before>"


class View(StrEnum):
    """callback_id of every modal; a submission listener matches on these."""

    LOG_INTERACTION = "interaction-log-submit"
    EDIT_INTERACTION = "interaction-edit-submit"  # Edit on a `/crm history` row
    EDIT_RELATIONSHIP = "relationship-edit-submit"
    NOTES = "relationship-notes-submit"
    FOLLOW_UP = "relationship-follow-up-submit"
    ADD_INFLUENCER = "influencer-add-submit"
    INFLUENCER_ADDED = "influencer-added"  # the read-only view after it, when they may be a second entry
    NEW_CAMPAIGN = "campaign-new-submit"
    ASSIGN_CAMPAIGN = "campaign-assign-submit"
    ASSIGNMENT_DONE = "campaign-assign-done"  # the read-only view shown after an assignment is saved
    CAMPAIGN_CREATED = "campaign-created"  # the read-only view shown after a campaign is created
    EDIT_CAMPAIGN = "campaign-edit-submit"
    CAMPAIGN_SAVED = "campaign-saved"  # the read-only view shown after a campaign is edited
    IMPORT = "roster-import-submit"  # `/crm import`: the file to read
    IMPORT_READING = "roster-import-reading"  # the read-only view shown while the file is read
    IMPORT_COLUMNS = "roster-import-columns-submit"  # "Fix columns": what each column holds
    IMPORT_COLUMNS_READING = "roster-import-columns-reading"  # that modal while the file is read


class Field(StrEnum):
    """block_id (and action_id) of every modal input."""

    # log interaction
    INTERACTION_INFLUENCER = "interaction-influencer"
    INTERACTION_TYPE = "interaction-type"
    INTERACTION_SUBJECT = "interaction-subject"
    INTERACTION_CONTENT = "interaction-content"
    INTERACTION_DATE = "interaction-date"
    INTERACTION_CAMPAIGN = "interaction-campaign"
    INTERACTION_FILE = "interaction-file"
    INTERACTION_FOLLOW_UP = "interaction-follow-up"
    # relationship edit / notes / follow-up
    RELATIONSHIP_STATUS = "relationship-status"
    RELATIONSHIP_PRIORITY = "relationship-priority"
    RELATIONSHIP_TAGS = "relationship-tags"
    RELATIONSHIP_FOLLOW_UP = "relationship-follow-up"
    RELATIONSHIP_NOTES = "relationship-notes"
    RELATIONSHIP_NOTE_APPEND = "relationship-note-append"
    RELATIONSHIP_CADENCE = "relationship-cadence"  # the contact cadence as typed ("2w"), crm.cadence
    # add influencer
    INFLUENCER_REF = "influencer-ref"
    INFLUENCER_PLATFORM = "influencer-platform"
    INFLUENCER_NAME = "influencer-name"
    INFLUENCER_EMAIL = "influencer-email"
    # campaign
    CAMPAIGN_NAME = "campaign-name"
    CAMPAIGN_LANDING_URL = "campaign-landing-url"
    CAMPAIGN_UTM_SOURCE = "campaign-utm-source"
    CAMPAIGN_UTM_MEDIUM = "campaign-utm-medium"
    CAMPAIGN_UTM_CAMPAIGN = "campaign-utm-campaign"
    CAMPAIGN_START = "campaign-start-date"
    CAMPAIGN_END = "campaign-end-date"
    CAMPAIGN_STATUS = "campaign-status"
    # assignment
    ASSIGNMENT_INFLUENCER = "assignment-influencer"
    ASSIGNMENT_UTM_SOURCE = "assignment-utm-source"
    ASSIGNMENT_UTM_MEDIUM = "assignment-utm-medium"
    ASSIGNMENT_UTM_CAMPAIGN = "assignment-utm-campaign"
    ASSIGNMENT_UTM_CONTENT = "assignment-utm-content"
    ASSIGNMENT_UTM_TERM = "assignment-utm-term"
    ASSIGNMENT_NOTES = "assignment-notes"
    # import
    IMPORT_FILE = "roster-import-file"
    IMPORT_COLUMN = "roster-import-column"  # one per column; block ids "roster-import-column-<position>"


class Action(StrEnum):
    """action_id of buttons and selects in messages and on App Home."""

    PICK_INFLUENCER = "influencer-pick"  # a candidate button after an ambiguous reference
    RUN_MEANT = "command-run-meant"  # under a usage error: run the command as it was probably meant
    CARD_LOG = "relationship-log-interaction"
    CARD_EDIT = "relationship-edit"
    CARD_FOLLOW_UP = "relationship-set-follow-up"
    CARD_HISTORY = "relationship-history"  # posts the first page of `/crm history`
    SHOW = "relationship-show"  # "Show" on a list / search row: posts the card
    ADD_TO_LIST = "relationship-add"  # "Add" on a search row for an influencer not on my list yet
    HOME_ADD_INFLUENCER = "home-add-influencer"
    HOME_LOG_INTERACTION = "home-log-interaction"
    HOME_NEW_CAMPAIGN = "home-new-campaign"
    # Turn on / Turn off the personal weekly digest on App Home: the value is "on" or "off".
    HOME_WEEKLY_DIGEST = "home-weekly-digest-toggle"
    # Previous / Next under `/crm list`, `due` and `find`: the value is the query and its page (JSON).
    LIST_PREVIOUS = "relationship-list-previous"
    LIST_NEXT = "relationship-list-next"
    DUE_ROW = "follow-up-due-row"  # the menu on a `/crm due` row: Done, Snooze, Log, Show
    CAMPAIGN_EDIT = "campaign-edit"  # "Edit" on a campaign's card: opens the edit modal
    CAMPAIGN_SHOW = "campaign-show"  # "Show" on a `/crm campaign list` row: the campaign's card
    CAMPAIGN_ROW = "campaign-row"  # the menu on a campaign card's row: move it along, its link
    # Undo under `/crm campaign add`'s answer for several creators: the campaign and the
    # assignments it made ("<campaign hex>:<assignment hex>,<assignment hex>…").
    ASSIGN_UNDO = "campaign-assign-undo"
    # Undo under `/crm campaign status` for several creators: the campaign, the status set and each
    # assignment with the status it had ("<campaign hex>:<status>:<assignment hex><status>,…", each
    # status as its index in ASSIGNMENT_STATUSES).
    ASSIGN_STATUS_UNDO = "campaign-assign-status-undo"
    # Merge / Cancel under the `/crm merge` preview: the value is both creators' ids (JSON).
    MERGE_CONFIRM = "creator-merge-confirm"
    MERGE_CANCEL = "creator-merge-cancel"
    # "Merge into …" under a creator just added who may be a second entry: the same value; it
    # answers with the /crm merge preview.
    MERGE_PREVIEW = "creator-merge-preview"
    # Undo under `/crm remove`'s answer, Restore on a `/crm list archived` row: the influencer id.
    REMOVE_UNDO = "relationship-remove-undo"
    RESTORE = "relationship-restore"
    # Undo under `/crm status`'s answer: "<influencer id>:<status set>:<status before>".
    STATUS_UNDO = "relationship-status-undo"
    # Undo under `/crm note`'s answer: "<influencer id>:<notes before>:<notes after>" (marks, no text).
    NOTE_UNDO = "relationship-note-undo"
    # Under `/crm history`: Previous / Next ("<influencer id>:<offset>"), and Edit and Delete on each
    # interaction ("<interaction id>:<influencer id>:<offset of the page>"), handlers.blocks.history.
    HISTORY_PREVIOUS = "interaction-history-previous"
    HISTORY_NEXT = "interaction-history-next"
    INTERACTION_DELETE = "interaction-delete"
    INTERACTION_EDIT = "interaction-edit"  # the same value as Delete: opens the edit form
    # Undo under `/crm status` for several creators (handlers.blocks.undo.statuses_undo_value).
    STATUSES_UNDO = "relationship-statuses-undo"
    # Undo under `/crm followup` for several creators (handlers.blocks.undo.follow_ups_undo_value).
    FOLLOW_UPS_UNDO = "relationship-follow-ups-undo"
    PRIORITIES_UNDO = "relationship-priorities-undo"
    # Undo under `/crm tag` for several creators (handlers.blocks.undo.tag_undo_value).
    TAG_UNDO = "relationship-tag-undo"
    # Undo under the log form's answer: the interaction and the relationship's status and follow-up
    # before and after the log (handlers.blocks.logged).
    LOG_UNDO = "interaction-log-undo"
    # Import / Cancel under the `/crm import` preview: the value names the Slack file (JSON).
    IMPORT_CONFIRM = "roster-import-confirm"
    IMPORT_CANCEL = "roster-import-cancel"
    IMPORT_FIX_COLUMNS = "roster-import-fix-columns"
    # "QR code" under a tracking link (`/crm utm`, the assign form's answer): the assignment id.
    LINK_QR = "assignment-link-qr"
    # "Open my card" under a creator's link unfurl: the value is the influencer id.
    UNFURL_OPEN_CARD = "creator-unfurl-open-card"


class Block(StrEnum):
    """block_id of message / App Home blocks that carry actions."""

    CARD_ACTIONS = "relationship-card-actions"
    CANDIDATES = "influencer-candidates"
    SAME_PERSON_ACTIONS = "influencer-same-person-actions"  # "Merge into …" under a creator just added
    HOME_ACTIONS = "home-actions"
    HOME_WEEKLY_DIGEST = "home-weekly-digest"
    LIST_PAGES = "relationship-list-pages"
    HISTORY_PAGES = "interaction-history-pages"
    MERGE_ACTIONS = "creator-merge-actions"
    REMOVED_ACTIONS = "relationship-removed-actions"
    IMPORT_ACTIONS = "roster-import-actions"
    LINK_ACTIONS = "assignment-link-actions"
    CAMPAIGN_ACTIONS = "campaign-card-actions"
    UNFURL_ACTIONS = "creator-unfurl-actions"
