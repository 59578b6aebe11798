"""plan_import and apply_import against PostgreSQL: identity merging, invalid rows, changes on the
list, idempotency and all-or-nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from crm.errors import Conflict, InvalidInput
from crm.imports.apply import apply_import
from crm.imports.columns import map_columns
from crm.imports.limits import APPLY_BATCH
from crm.imports.plan import plan_import
from crm.imports.table import read_table
from crm.models import Influencer, InfluencerProfile, Relationship
from crm.relationship_fields import TAGS_MAX
from tests.factories import make_influencer, make_relationship, make_user

MESSY = (
    "\ufeffFull Name;Username;Network;Profile URL;Status;Tags;Priority;Notes;Next follow-up\r\n"
    'Maya Lopez;@maya;Instagram;;warm;vegan, berlin;3;"met at\nthe fair";2030-01-15\r\n'
    "Maya L.;;;https://WWW.instagram.com/Maya/?igsh=abc;;food|vegan;;;\r\n"
    "Maya again;;;instagram.com/maya;;;;;\r\n"
    "Anna;;;https://anna.medium.com/a-post;contacted;;;;\r\n"
    "Anna M;;;medium.com/@anna;;writer;;;\r\n"
    "Only A Name;;;;;;;;\r\n"
    "Bad Status;@bad1;tiktok;;hot;;;;\r\n"
    "Bad Priority;@bad2;tiktok;;;;9;;\r\n"
    "Bad Date;@bad3;tiktok;;;;;;someday\r\n"
)


def _plan(db, actor, text: str, encoding: str = "utf-8"):
    table = read_table(text.encode(encoding))
    return plan_import(db, actor=actor, table=table, mapping=map_columns(table.headers))


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_messy_file_preview_counts(db, snapshot):
    actor = make_user(db)
    before = snapshot()
    plan = _plan(db, actor, MESSY)
    assert snapshot() == before  # planning writes nothing
    assert plan.count("new") == 5
    assert [c.rows for c in plan.merged] == [[2, 3, 4], [5, 6]]
    # Only a row that names no creator is left out; a value that cannot be read is left out alone.
    assert [(row.number, row.reasons) for row in plan.invalid] == [
        (7, ["No handle or profile link: a creator needs one (a name alone is not enough)."])
    ]
    partial = {row.number: (row.handle, " ".join(row.reasons)) for row in plan.partial}
    assert set(partial) == {8, 9, 10}
    assert partial[8] == (
        "bad1",
        "status left out: “hot” is not a status. Did you mean “warm”? Use one of: saved, contacted, "
        "warm, cold, partnered.",
    )
    assert partial[9][1].startswith("priority left out: Priority “9”")
    assert partial[10][1].startswith("follow-up left out:") and "someday" in partial[10][1]
    bad_status = next(c for c in plan.creators if c.rows == [8])
    assert bad_status.name == "Bad Status" and "status" not in bad_status.values
    maya = plan.creators[0]
    assert maya.name == "Maya Lopez" and maya.values["tags"] == ["vegan", "berlin", "food"]
    assert maya.values["notes"] == "met at\nthe fair"


def test_apply_creates_once_and_second_run_changes_nothing(db):
    actor = make_user(db, timezone="Europe/Berlin")
    result = apply_import(db, actor=actor, plan=_plan(db, actor, MESSY))
    assert (result.created, result.added, result.updated, result.invalid, result.partial) == (5, 0, 0, 1, 3)
    maya = db.scalars(select(Influencer).where(Influencer.handle == "maya")).one()
    rel = db.scalars(select(Relationship).where(Relationship.influencer_id == maya.id)).one()
    assert (rel.status, rel.priority, rel.tags) == ("warm", 3, ["vegan", "berlin", "food"])
    assert rel.follow_up_date == datetime(2030, 1, 15, 8, 0, tzinfo=UTC)  # 09:00 Berlin
    anna = db.scalars(
        select(InfluencerProfile).where(InfluencerProfile.identity_key == "url:medium.com/@anna")
    ).one()
    assert anna.influencer.name == "Anna"
    counts = (_count(db, Influencer), _count(db, InfluencerProfile), _count(db, Relationship))

    again = _plan(db, actor, MESSY)
    assert again.count("new") == 0 and again.count("update") == 0 and again.count("unchanged") == 5
    second = apply_import(db, actor=actor, plan=again)
    assert second.changes == 0 and second.unchanged == 5
    assert (_count(db, Influencer), _count(db, InfluencerProfile), _count(db, Relationship)) == counts


def test_creators_already_on_the_list_show_which_fields_change(db):
    actor = make_user(db)
    maya = make_influencer(db, handle="maya", name="Maya")
    make_relationship(db, user=actor, influencer=maya, status="saved", tags=["vegan"], priority=3)
    known = make_influencer(db, handle="known", platform="tiktok")
    plan = _plan(
        db,
        actor,
        "handle,platform,status,tags,priority\n@maya,instagram,warm,vegan;food,3\n@known,tiktok,,,\n",
    )
    assert plan.count("update") == 1 and plan.count("add") == 1
    assert plan.creators[0].changes == {"status": ("saved", "warm"), "tags": (["vegan"], ["vegan", "food"])}
    result = apply_import(db, actor=actor, plan=plan)
    assert (result.created, result.added, result.updated) == (0, 1, 1)
    assert (
        db.scalars(select(Relationship).where(Relationship.influencer_id == known.id)).one().user_id
        == actor.id
    )


def test_a_row_whose_profiles_belong_to_two_creators_is_invalid(db):
    actor = make_user(db)
    make_influencer(db, handle="one")
    make_influencer(db, handle="two", platform="tiktok")
    plan = _plan(db, actor, "instagram url,tiktok url\ninstagram.com/one,tiktok.com/@two\n")
    assert not plan.creators and "different creators" in plan.invalid[0].reasons[0]


def test_a_file_with_duplicate_columns_is_refused(db):
    actor = make_user(db)
    table = read_table(b"handle,email,email\n@a,a@x.io,b@x.io\n")
    with pytest.raises(InvalidInput, match="email: email, email"):
        plan_import(db, actor=actor, table=table, mapping=map_columns(table.headers))


def test_all_or_nothing_when_the_database_fails_midway(db, snapshot):
    actor = make_user(db)
    total = 2 * APPLY_BATCH + 100
    rows = "".join(f"@creator_{i},instagram\n" for i in range(total))
    plan = _plan(db, actor, "handle,platform\n" + rows)
    before = snapshot()
    calls = []

    def progress(done, total):
        calls.append((done, total))
        if done == 2 * APPLY_BATCH:  # a database error after two batches of creators were written
            db.execute(select(1 / func.cast(0, Influencer.follower_count.type)))

    with pytest.raises(DBAPIError):
        apply_import(db, actor=actor, plan=plan, progress=progress)
    assert calls == [(APPLY_BATCH, total), (2 * APPLY_BATCH, total)]
    assert snapshot() == before


def test_an_export_imports_back_unchanged_and_onto_another_list(db):
    from crm.exports import relationships_csv
    from crm.relationship_list import RelationshipFilter

    owner = make_user(db, timezone="America/New_York")
    maya = make_influencer(db, handle="maya", name="Maya", email="maya@example.com", follower_count=12_500)
    make_relationship(
        db, user=owner, influencer=maya, status="warm", priority=4, tags=["vegan", "nyc"],
        notes="-loves oat milk\nsecond line", follow_up_date=datetime(2020, 5, 1, 13, tzinfo=UTC),
        last_contacted_at=datetime(2020, 4, 1, 15, tzinfo=UTC), cadence_days=30,
    )  # fmt: skip
    exported = relationships_csv(db, actor=owner, filters=RelationshipFilter())
    table = read_table(exported)
    plan = plan_import(db, actor=owner, table=table, mapping=map_columns(table.headers))
    assert not plan.invalid and plan.count("unchanged") == 1  # an overdue follow-up is kept, not refused
    assert plan.creators[0].followers == 12_500

    colleague = make_user(db, timezone="Europe/Berlin")
    plan = plan_import(db, actor=colleague, table=table, mapping=map_columns(table.headers))
    apply_import(db, actor=colleague, plan=plan)
    copy = db.scalars(select(Relationship).where(Relationship.user_id == colleague.id)).one()
    assert (copy.influencer_id, copy.status, copy.priority, copy.tags) == (
        maya.id,
        "warm",
        4,
        ["vegan", "nyc"],
    )
    assert copy.notes == "-loves oat milk\nsecond line"
    assert copy.follow_up_date == datetime(2020, 5, 1, 13, tzinfo=UTC)
    assert copy.last_contacted_at == datetime(2020, 4, 1, 15, tzinfo=UTC)
    assert copy.cadence_days == 30 and not copy.follow_up_from_cadence


def test_a_cadence_column_sets_it_and_an_unreadable_one_is_left_out(db):
    actor = make_user(db)
    plan = _plan(
        db, actor, "handle,platform,contact cadence\n@ana,tiktok,2w\n@ben,tiktok,sometimes\n@cy,tiktok,\n"
    )
    assert not plan.invalid
    (row,) = plan.partial
    assert (
        row.number == 3 and row.reasons[0].startswith("cadence left out:") and "sometimes" in row.reasons[0]
    )
    apply_import(db, actor=actor, plan=plan)
    cadences = {
        handle: days
        for handle, days in db.execute(
            select(Influencer.handle, Relationship.cadence_days).join(Relationship.influencer)
        )
    }
    assert cadences == {"ana": 14, "ben": None, "cy": None}


def test_apply_fills_in_what_the_directory_lacks_and_links_new_profiles(db):
    actor = make_user(db)
    bare = make_influencer(db, handle="bare", name="bare")  # the name is still the handle
    named = make_influencer(db, handle="named", name="Chosen Name", email="kept@example.com")
    plan = _plan(
        db,
        actor,
        "name,handle,platform,email,tiktok url\n"
        "Bare Person,@bare,instagram,bare@example.com,tiktok.com/@bare_tt\n"
        "Other Name,@named,instagram,other@example.com,\n",
    )
    result = apply_import(db, actor=actor, plan=plan)
    assert (result.created, result.added, result.profiles_linked) == (0, 2, 1)
    db.refresh(bare)
    db.refresh(named)
    assert (bare.name, bare.email) == ("Bare Person", "bare@example.com")
    assert (named.name, named.email) == ("Chosen Name", "kept@example.com")  # a colleague's data stays
    linked = db.scalars(
        select(InfluencerProfile).where(InfluencerProfile.identity_key == "tiktok:bare_tt")
    ).one()
    assert linked.influencer_id == bare.id and not linked.is_primary


def test_new_creators_get_their_first_profile_as_primary_in_file_order(db):
    actor = make_user(db)
    apply_import(
        db,
        actor=actor,
        plan=_plan(db, actor, "name,instagram url,tiktok url\nDuo,instagram.com/duo,tiktok.com/@duo_tt\n"),
    )
    profiles = db.scalars(select(InfluencerProfile).order_by(InfluencerProfile.created_at)).all()
    assert [(p.platform, p.is_primary) for p in profiles] == [("instagram", True), ("tiktok", False)]
    duo = db.scalars(select(Influencer)).one()
    assert (duo.name, duo.handle, duo.platform) == ("Duo", "duo", "instagram")


def test_an_archived_relationship_comes_back_with_the_files_values(db):
    actor = make_user(db)
    maya = make_influencer(db, handle="maya")
    rel = make_relationship(db, user=actor, influencer=maya, archived_at=datetime(2026, 1, 1, tzinfo=UTC))
    result = apply_import(
        db, actor=actor, plan=_plan(db, actor, "handle,platform,status\n@maya,instagram,warm\n")
    )
    assert (result.added, result.updated) == (1, 0)
    db.refresh(rel)
    assert rel.archived_at is None and rel.status == "warm"


def test_a_creator_added_between_preview_and_import_is_found_not_duplicated(db):
    actor = make_user(db)
    plan = _plan(db, actor, "handle,platform\n@first,instagram\n@late,instagram\n")
    late = make_influencer(db, handle="late")  # a colleague adds the creator while the preview is open
    result = apply_import(db, actor=actor, plan=plan)
    assert (result.created, result.added) == (1, 1)
    assert _count(db, Influencer) == 2
    assert (
        db.scalars(select(Relationship).where(Relationship.influencer_id == late.id)).one().user_id
        == actor.id
    )


def test_profiles_split_between_creators_since_the_preview_roll_everything_back(db, snapshot):
    actor = make_user(db)
    plan = _plan(
        db, actor, "instagram url,tiktok url\ninstagram.com/first,\ninstagram.com/duo,tiktok.com/@duo\n"
    )
    make_influencer(db, handle="duo")  # meanwhile colleagues add the two profiles as two creators
    make_influencer(db, handle="duo", platform="tiktok")
    before = snapshot()
    with pytest.raises(Conflict, match="nothing was imported"):
        apply_import(db, actor=actor, plan=plan)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("cell", "count"),
    [("12500", 12500), ("12,500", 12500), ("12 500", 12500), ("1.234.567", 1234567), ("12.5k", 12500),
     ("12,5K", 12500), ("1.2M", 1200000), ("3b", 3000000000), ("0", 0), ("12.0", 12)],
)  # fmt: skip
def test_follower_counts_as_rosters_write_them(db, cell, count):
    actor = make_user(db)
    plan = _plan(db, actor, f'handle,followers\n@maya,"{cell}"\n')
    assert not plan.invalid and plan.creators[0].followers == count


@pytest.mark.parametrize("cell", ["1.5", "lots", "-3", "12.5x", "1,2,3", "2000000000000k"])
def test_a_follower_count_that_is_none_is_left_out(db, cell):
    actor = make_user(db)
    plan = _plan(db, actor, f'handle,followers\n@maya,"{cell}"\n')
    (row,) = plan.partial
    assert not plan.invalid and plan.creators[0].followers is None
    assert row.number == 2 and row.reasons == [
        f"followers left out: Followers “{cell}” is not a follower count; write e.g. 12500, 12.5k or 1.2M."
    ]


def test_followers_go_to_the_directory_the_largest_column_and_the_latest_count(db):
    actor = make_user(db)
    known = make_influencer(db, team_id=actor.team_id, handle="known", follower_count=100)
    text = (
        "handle,Instagram followers,TikTok followers\n"
        "@maya,12.5k,1.2M\n"  # the largest of the row's counts
        "@known,,250\n"  # replaces the count the directory had
        "@blank,,\n"  # no count: none
    )
    apply_import(db, actor=actor, plan=_plan(db, actor, text))
    counts = dict(db.execute(select(Influencer.handle, Influencer.follower_count)).all())
    assert counts == {"maya": 1_200_000, "known": 250, "blank": None}
    assert known.follower_count == 250


def test_rows_merged_under_different_names_say_which_name_is_kept(db):
    from crm.imports.summary import merged_line

    actor = make_user(db)
    plan = _plan(db, actor, "name,handle\nAnna Berg,@anna\nDan Fox,@anna\nANNA BERG,@anna\n")
    (creator,) = plan.merged
    assert creator.other_names == [(3, "Dan Fox")]  # case aside, row 4 names her the same
    assert merged_line(creator) == (
        "rows 2, 3, 4 are one creator (@anna); the name “Anna Berg” is kept, not “Dan Fox” (row 3)"
    )


def test_tags_come_from_every_tag_column(db):
    actor = make_user(db)
    plan = _plan(db, actor, "handle,Tags,Niche,Categories\n@maya,vegan;ugc,Beauty,Skincare|beauty\n")
    assert not plan.invalid and plan.creators[0].values["tags"] == ["vegan", "ugc", "beauty", "skincare"]


def test_a_value_that_cannot_be_read_is_left_out_and_the_rest_of_the_row_imported(db):
    actor = make_user(db)
    plan = _plan(db, actor, "name,handle,platform,email,followers\nBen Ode,@ben,tiktok,ben@,12.5k\n")
    assert not plan.invalid
    (row,) = plan.partial
    assert (row.number, row.handle, row.reasons) == (
        2,
        "ben",
        ["e-mail left out: “ben@” is not an e-mail address."],
    )
    result = apply_import(db, actor=actor, plan=plan)
    assert (result.created, result.partial) == (1, 1)
    ben = db.scalars(select(Influencer).where(Influencer.handle == "ben")).one()
    assert (ben.name, ben.email, ben.follower_count) == ("Ben Ode", None, 12500)


def test_a_row_left_out_for_its_profile_names_its_values_problems_too(db):
    actor = make_user(db)
    plan = _plan(db, actor, "handle,platform,email\n@ben,myspace,ben@\n")
    assert not plan.creators and not plan.partial
    (row,) = plan.invalid
    assert len(row.reasons) == 2 and "myspace" in row.reasons[0]
    assert row.reasons[1] == "“ben@” is not an e-mail address."


def test_tags_that_would_pass_the_limit_are_left_out_and_the_rest_imported(db):
    actor = make_user(db)
    maya = make_influencer(db, handle="maya")
    make_relationship(db, user=actor, influencer=maya, tags=[f"t{n}" for n in range(TAGS_MAX - 1)])
    plan = _plan(db, actor, "handle,status,tags\n@maya,warm,a;b\n")
    assert not plan.invalid
    (row,) = plan.partial
    assert row.reasons == [
        f"tags left out: With these tags the creator would have more than {TAGS_MAX} tags."
    ]
    assert plan.creators[0].changes == {"status": ("saved", "warm")}
    apply_import(db, actor=actor, plan=plan)
    rel = db.scalars(select(Relationship).where(Relationship.influencer_id == maya.id)).one()
    assert rel.status == "warm" and len(rel.tags) == TAGS_MAX - 1
