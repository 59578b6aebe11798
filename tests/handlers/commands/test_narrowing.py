"""A name that matches several creators means the one on your own list, when only one of them is
(the directory is shared; your commands are about your relationships). Restore looks among those you
removed; commands about the directory itself (rename, link, merge, add) still ask."""

from __future__ import annotations

from crm.models import Influencer, Relationship

BOB = "UBOB000001"


def _names(sent) -> list[str]:
    return [e["text"]["text"] for b in sent.reply.blocks if b["type"] == "actions" for e in b["elements"]]


def _status(crm, handle: str) -> str:
    return crm.one(Relationship, Relationship.influencer.has(handle=handle)).status


def test_the_one_on_my_list_is_meant(run, crm):
    crm.relationship("mlopez", name="Maya Lopez", status="saved")
    crm.relationship("mchen", name="Maya Chen", user=BOB, status="saved")  # a colleague's only
    assert "*Maya Lopez* is now *warm*" in run.command("status maya warm").text
    assert _status(crm, "mlopez") == "warm" and _status(crm, "mchen") == "saved"
    assert "MAYA LOPEZ" in run.command("show maya").text.upper()


def test_several_on_my_list_are_the_only_candidates(run, crm):
    crm.relationship("mlopez", name="Maya Lopez")
    crm.relationship("mkim", name="Maya Kim")
    crm.relationship("mchen", name="Maya Chen", user=BOB)
    sent = run.command("status maya warm")
    assert "matches several influencers" in sent.text
    assert _names(sent) == ["Maya Kim (@mkim · Instagram)", "Maya Lopez (@mlopez · Instagram)"]


def test_with_none_on_my_list_every_match_is_offered(run, crm):
    crm.relationship("mchen", name="Maya Chen", user=BOB)
    crm.relationship("mlopez", name="Maya Lopez", user=BOB)
    assert len(_names(run.command("show maya"))) == 2


def test_restore_looks_among_those_i_removed_and_rename_among_everyone(run, crm):
    crm.relationship("lucah", name="Luca Haddad")
    crm.relationship("lucab", name="Luca Berg")
    run.command("remove @lucah")
    assert "*Luca Haddad* (@lucah · Instagram) is back on your list" in run.command("restore luca").text
    sent = run.command('rename luca "Luca X"')
    assert len(_names(sent)) == 2  # the directory: both, whoever's list they are on
    assert crm.count(Influencer, Influencer.name == "Luca X") == 0
