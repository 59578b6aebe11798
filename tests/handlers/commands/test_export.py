"""`/crm export` and `/crm campaign export` end to end: the CSV goes through files upload v2 to the
user's DM (the fake records the bytes), the reply counts the rows, failures tell the user."""

from __future__ import annotations

import csv
import io

from crm import exports
from crm.models import Assignment, Influencer
from crm.relationship_list import RelationshipFilter
from handlers.runtime.slack_calls import UPLOAD_FAILED, UPLOAD_NEEDS_SCOPE
from tests.handlers.conftest import USER_ID

ADMIN = "UADMIN0001"  # in CRM_ADMIN_USER_IDS for the test app
UPLOAD_METHODS = [
    "conversations.open",
    "files.getUploadURLExternal",
    "file_upload",
    "files.completeUploadExternal",
]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def uploaded(run) -> bytes:
    (call,) = run.fake.calls_to("file_upload")
    return run.fake.uploads[call.params["file_id"]]


def test_export_uploads_my_filtered_list_to_my_dm_and_says_how_many_rows(run, crm):
    run.fake.set_user(USER_ID, tz="Europe/Berlin")
    actor = crm.user(USER_ID, timezone="Europe/Berlin")
    crm.relationship("ana", name="Ana", status="warm", tags=["skincare"])
    crm.relationship("ben", name="Ben", status="warm", notes="=1+1")
    crm.relationship("cat", name="Cat", status="cold")
    crm.relationship("eve", name="Eve", user="UBOB000001", status="warm")  # someone else's

    sent = run.command("export warm")

    assert [c.method for c in sent.calls if c.method in UPLOAD_METHODS] == UPLOAD_METHODS
    data = uploaded(run)
    with crm.session() as db:
        assert data == exports.relationships_csv(
            db, actor=actor, filters=RelationshipFilter(statuses=("warm",))
        )
    rows = csv_rows(data)
    assert rows[0] == list(exports.RELATIONSHIP_COLUMNS)
    assert [r[0] for r in rows[1:]] == ["Ana", "Ben"] and rows[2][9] == "'=1+1"
    complete = run.fake.last("files.completeUploadExternal")
    assert complete.params["channel_id"] == "D" + USER_ID[1:]  # the DM, opened with conversations.open
    assert "2 relationships" in complete.params["initial_comment"]
    assert sent.reply.params["text"] == "Exported 2 relationships (warm): the CSV is in your DM with the bot."


def test_export_takes_the_filters_of_list_and_refuses_others_with_its_usage(run, crm):
    crm.relationship("ana", name="Ana", priority=4, tags=["food"])
    crm.relationship("ben", name="Ben", priority=1, tags=["food"])
    run.command("export #food priority>=3")
    assert [r[0] for r in csv_rows(uploaded(run))[1:]] == ["Ana"]
    run.command("export CSV #food")  # it is always a CSV: the word is not a filter
    last = run.fake.calls_to("file_upload")[-1]
    assert [r[0] for r in csv_rows(run.fake.uploads[last.params["file_id"]])[1:]] == ["Ana", "Ben"]

    sent = run.command("export hot")
    assert "“hot” is not a filter. Did you mean “warm”?" in sent.text and "/crm export" in sent.text
    assert len(run.fake.calls_to("file_upload")) == 2  # nothing more was uploaded


def test_nothing_to_export_sends_no_file(run, crm):
    crm.relationship("ana", name="Ana", status="cold")
    sent = run.command("export partnered")
    assert sent.reply.params["text"] == "Nothing to export: no relationships match (partnered)."
    assert not run.fake.calls_to("files.getUploadURLExternal")


def test_a_failed_upload_tells_the_user_instead_of_confirming(run, crm):
    crm.relationship("ana", name="Ana")
    run.fake.fail("file_upload", status=500)
    sent = run.command("export")
    assert sent.reply.params["text"] == UPLOAD_FAILED
    assert not run.fake.calls_to("files.completeUploadExternal")

    run.fake.fail("files.getUploadURLExternal", error="missing_scope")  # app not reinstalled
    sent = run.command("export")
    assert sent.reply.params["text"] == UPLOAD_NEEDS_SCOPE


def _assign(crm, campaign, handle: str, *, user: str) -> None:
    owner = crm.user(user)
    with crm.session() as db:
        influencer = db.query(Influencer).filter_by(handle=handle).one()
        db.add(
            Assignment(
                campaign_id=campaign.id,
                influencer_id=influencer.id,
                user_id=owner.id,
                utm_url=f"https://shop.example.com/spring?utm_content={handle}",
                status="active",
            )
        )


def test_campaign_export_is_my_assignments_or_everyones_for_a_crm_admin(run, crm):
    campaign = crm.campaign("Spring Sale")
    crm.relationship("ana", name="Ana")
    crm.relationship("ben", name="Ben", user="UBOB000001")
    _assign(crm, campaign, "ana", user=USER_ID)
    _assign(crm, campaign, "ben", user="UBOB000001")

    sent = run.command('campaign export "Spring Sale"')
    assert sent.reply.params["text"].startswith("Exported 1 assignment of “Spring Sale” (yours)")
    rows = csv_rows(uploaded(run))
    assert rows[0] == list(exports.CAMPAIGN_COLUMNS)
    assert [(r[1], r[11]) for r in rows[1:]] == [("Ana", "https://shop.example.com/spring?utm_content=ana")]

    run.fake.reset()
    sent = run.command("campaign export spring", user_id=ADMIN)
    assert "2 assignments" in sent.reply.params["text"] and "(everyone's)" in sent.reply.params["text"]
    assert [r[1] for r in csv_rows(uploaded(run))[1:]] == ["Ana", "Ben"]

    run.fake.reset()
    sent = run.command('campaign export "Spring Sale"', user_id="UCAROL0001")  # assigned no one
    assert "You have assigned no one to “Spring Sale”" in sent.text
    assert not run.fake.calls_to("file_upload")


def test_a_campaign_export_file_is_named_without_accents(run, crm):
    campaign = crm.campaign("Été Glow")
    crm.relationship("ana", name="Ana")
    _assign(crm, campaign, "ana", user=USER_ID)
    run.command("campaign export ete")
    (upload,) = run.fake.calls_to("files.getUploadURLExternal")
    assert upload.params["filename"].startswith("campaign-ete-glow-")
