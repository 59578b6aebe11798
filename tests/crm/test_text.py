"""crm.text.clean_text and every free-text field that uses it: any text is refused with InvalidInput, or
stored and read back exactly as cleaned — never a NUL that PostgreSQL rejects (a crash, not a message)."""

from __future__ import annotations

import re
import unicodedata
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, literal, select

from crm.assignments import assign_influencer
from crm.campaigns import create_campaign
from crm.errors import InvalidInput
from crm.influencers import save_influencer
from crm.interactions import NewInteraction, log_interaction
from crm.models import Assignment, Campaign, Influencer, Interaction, Relationship, User
from crm.profiles import Profile, parse_reference
from crm.relationship_fields import normalize_tags
from crm.relationships import set_notes, update_tags
from crm.text import FOLD_FROM, FOLD_TO, clean_name, clean_text, escape_like, fold, slug, strip_invisible
from crm.users import get_or_create_user, update_user_profile
from crm.utm import normalize_utm_value
from tests.factories import make_influencer, make_relationship, make_user

CONTROLS = "".join(chr(c) for c in [*range(0x20), 0x7F])
# Bidi controls and zero-width characters, stripped from names on save (ZWJ kept inside emoji).
INVISIBLE = "".join(
    chr(c) for c in [0x061C, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x206A), 0xFEFF]
)
# Any character, lone surrogates (JSON can carry them) and, often, controls and separators.
nasty_text = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.characters(categories=["Cs"]),
        st.sampled_from(
            [*CONTROLS, *INVISIBLE, " ", "\u00a0", "\u2028", "#", ",", "@", "👩", "💻", "\ufe0f"]
        ),
    ),
    max_size=40,
)
DB_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def cleaned_or_refused(value: str, **kw) -> str | InvalidInput | None:
    try:
        return clean_text(value, field="f", **kw)
    except InvalidInput as exc:
        return exc


# --- the helper ----------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(value=nasty_text, multiline=st.booleans(), max_len=st.none() | st.integers(0, 30))
def test_clean_text_leaves_only_storable_trimmed_text(value, multiline, max_len):
    out = cleaned_or_refused(value, max_len=max_len, multiline=multiline)
    if isinstance(out, InvalidInput):
        assert out.field == "f"
        too_long = max_len is not None and "at most" in out.message
        assert too_long or any(0xD800 <= ord(c) <= 0xDFFF for c in value)
        return
    blank = all(c.isspace() or c in CONTROLS for c in value)
    assert (out is None) == blank
    if out is None:
        return
    out.encode("utf-8")  # storable
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", out)
    assert out == out.strip() and (max_len is None or len(out) <= max_len)
    if not multiline:
        assert "\n" not in out and "\t" not in out and "  " not in out
    assert clean_text(out, field="f", max_len=max_len, multiline=multiline) == out  # idempotent


@pytest.mark.parametrize(
    ("value", "multiline", "expected"),
    [
        ("  Maya\x00 Lopez\n", False, "Maya Lopez"),
        ("a\x1fb\tc\x0bd", False, "a b c d"),  # whitespace-like controls separate words
        ("line 1\r\nline 2\rline 3\x00\x07", True, "line 1\nline 2\nline 3"),
        ("\tkeep\ttabs\n\n and blank lines \x7f", True, "keep\ttabs\n\n and blank lines"),
        ("\x00\x01 \n", True, None),
        (None, False, None),
    ],
)
def test_clean_text_examples(value, multiline, expected):
    assert clean_text(value, field="f", max_len=100, multiline=multiline) == expected


def test_clean_text_refusals_name_the_field():
    with pytest.raises(InvalidInput) as err:
        clean_text("x" * 11, field="subject", max_len=10, label="The subject")
    assert (err.value.field, err.value.message) == ("subject", "The subject can be at most 10 characters.")
    with pytest.raises(InvalidInput) as err:
        clean_text("bad \ud800", field="notes", max_len=None, multiline=True)
    assert err.value.field == "notes" and "cannot be stored" in err.value.message
    with pytest.raises(InvalidInput):
        clean_text(42, field="notes", max_len=None)
    # The length counts after cleaning: controls do not use up the limit.
    assert clean_text("\x00" * 50 + "ok", field="f", max_len=2) == "ok"


# --- names: no bidi controls or zero-width characters -------------------------------------------


def _may_join(char: str) -> bool:
    """A character a kept ZWJ may stand beside: no letter, space, control or invisible character."""
    return unicodedata.category(char)[0] not in "LZ" and char not in INVISIBLE + CONTROLS


@settings(max_examples=300, deadline=None)
@given(value=nasty_text, max_len=st.none() | st.integers(0, 30))
def test_clean_name_is_clean_text_without_invisible_characters(value, max_len):
    try:
        out = clean_name(value, field="name", max_len=max_len)
    except InvalidInput as exc:
        with pytest.raises(InvalidInput):
            clean_text(strip_invisible(value), field="name", max_len=max_len)
        assert exc.field == "name"
        return
    assert out == clean_text(strip_invisible(value), field="name", max_len=max_len)
    if out is None:
        return
    for i, char in enumerate(out):
        if char == "\u200d":  # kept only inside an emoji sequence, never beside a letter or a space
            assert 0 < i < len(out) - 1, repr(out)
            assert _may_join(out[i - 1]) and _may_join(out[i + 1]), repr(out)
        else:
            assert char not in INVISIBLE, repr(out)
    assert clean_name(out, field="name", max_len=max_len) == out  # idempotent
    # Nothing visible is lost: the same text once every invisible character is taken out.
    drop = str.maketrans("", "", INVISIBLE)
    assert out.translate(drop) == (clean_text(value.translate(drop), field="name", max_len=None) or "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("\u202egnirpS", "gnirpS"),  # RLO would display it as "Spring"
        ("Spring\u2066 Sale\u2069", "Spring Sale"),
        ("Maya\u200b\u200b Lopez\ufeff", "Maya Lopez"),
        ("\u200eMaya\u200f\u061c", "Maya"),
        ("Ma\u200dya", "Maya"),  # a joiner between letters is only a disguise
        ("👩\u200d💻 Dev", "👩\u200d💻 Dev"),  # woman technologist stays one emoji
        ("🏳\ufe0f\u200d🌈 Pride", "🏳\ufe0f\u200d🌈 Pride"),  # the joiner after a variation selector
        ("👩\u200d\u200b\u200d💻", "👩\u200d💻"),
        ("\u200d👩 \u200d", "👩"),
        ("\u200b \u2060", None),
    ],
)
def test_clean_name_examples(value, expected):
    assert clean_name(value, field="name", max_len=100) == expected


def test_the_length_limit_counts_after_stripping():
    assert clean_name("\u200b" * 50 + "ok", field="name", max_len=2) == "ok"


# --- LIKE patterns -------------------------------------------------------------------------------


@DB_SETTINGS
@given(
    value=st.text(alphabet="ab%_\\", max_size=8),
    other=st.text(alphabet="ab%_\\", max_size=8),
)
def test_escape_like_matches_the_text_literally(db, value, other):
    """PostgreSQL's LIKE with an escaped pattern matches exactly the text (so `%` or `_` typed by a user
    is not a wildcard), and ILIKE '%' || escaped || '%' finds it inside longer text."""
    pattern = escape_like(value)
    assert db.scalar(select(literal(value).like(pattern)))
    assert db.scalar(select(literal(other).like(pattern))) == (other == value)
    assert db.scalar(select(literal("x" + value.upper() + "y").ilike("%" + pattern + "%")))


# --- every writer: refused, or stored and read back as cleaned -----------------------------------


@pytest.fixture
def actor(db):
    return make_user(db, team_id="T1")


def _outcome(write, read, expected):
    """Run `write`; InvalidInput is fine, anything else (a DataError) fails; else compare what PostgreSQL
    returns (a Core select, not the identity map) with `expected()`."""
    try:
        want = expected()
    except InvalidInput:
        want = InvalidInput
    try:
        write()
    except InvalidInput:
        assert want is InvalidInput
        return
    assert want is not InvalidInput
    assert read() == want


@DB_SETTINGS
@given(value=nasty_text)
def test_notes(db, isolated, actor, value):
    with isolated():
        rel = make_relationship(db, user=actor, influencer=make_influencer(db, team_id="T1"))
        _outcome(
            lambda: set_notes(db, actor=actor, influencer_id=rel.influencer_id, text=value, append=False),
            lambda: db.scalar(select(Relationship.notes).where(Relationship.id == rel.id)),
            lambda: clean_text(value, field="notes", max_len=10_000, multiline=True),
        )


@DB_SETTINGS
@given(value=nasty_text)
def test_tags(db, isolated, actor, value):
    with isolated():
        rel = make_relationship(db, user=actor, influencer=make_influencer(db, team_id="T1"))
        _outcome(
            lambda: update_tags(db, actor=actor, influencer_id=rel.influencer_id, add=[value]),
            lambda: db.scalar(select(Relationship.tags).where(Relationship.id == rel.id)),
            lambda: normalize_tags([value]),
        )


@DB_SETTINGS
@given(subject=nasty_text, content=nasty_text, key=nasty_text)
def test_interaction_subject_content_and_key(db, isolated, actor, subject, content, key):
    with isolated():
        influencer = make_influencer(db, team_id="T1")
        data = NewInteraction(type="note", subject=subject, content=content, idempotency_key=key)
        _outcome(
            lambda: log_interaction(db, actor=actor, influencer_id=influencer.id, data=data),
            lambda: tuple(
                db.execute(
                    select(Interaction.subject, Interaction.content, Interaction.idempotency_key).where(
                        Interaction.influencer_id == influencer.id
                    )
                ).one()
            ),
            lambda: (
                clean_text(subject, field="subject", max_len=255),
                clean_text(content, field="content", max_len=20_000, multiline=True),
                clean_text(key, field="idempotency_key", max_len=200),
            ),
        )


@DB_SETTINGS
@given(name=nasty_text, ref=nasty_text)
def test_influencer_name_and_handle(db, isolated, name, ref):
    with isolated():
        handle = f"h{uuid.uuid4().hex[:12]}"
        _outcome(
            lambda: save_influencer(db, team_id="T1", ref=handle, name=name),
            lambda: db.scalar(select(Influencer.name).where(Influencer.handle == handle)),
            lambda: clean_name(name, field="name", max_len=255) or handle,
        )
    with isolated():
        _outcome(
            lambda: save_influencer(db, team_id="T1", ref=ref, platform="tiktok"),
            lambda: db.scalar(select(Influencer.handle).where(Influencer.team_id == "T1")),
            lambda: _handle_on_tiktok(ref),
        )


@DB_SETTINGS
@given(name=nasty_text, notes=nasty_text, source=nasty_text)
def test_campaign_name_utm_source_and_assignment_notes(db, isolated, actor, name, notes, source):
    with isolated():
        _outcome(
            lambda: create_campaign(
                db, actor=actor, name=name, landing_url="https://shop.example", utm_source=source
            ),
            lambda: tuple(
                db.execute(select(Campaign.name, Campaign.utm_source).where(Campaign.team_id == "T1")).one()
            ),
            lambda: (clean_name(name, field="name", max_len=100) or _refuse(), _utm(source)),
        )
    with isolated():
        campaign = create_campaign(db, actor=actor, name="Launch", landing_url="https://shop.example")
        influencer = make_influencer(db, team_id="T1")
        _outcome(
            lambda: assign_influencer(
                db, actor=actor, campaign_id=campaign.id, influencer_id=influencer.id, notes=notes
            ),
            lambda: db.scalar(select(Assignment.notes).where(Assignment.campaign_id == campaign.id)),
            lambda: clean_text(notes, field="notes", max_len=10_000, multiline=True),
        )


@DB_SETTINGS
@given(name=nasty_text)
def test_user_display_name(db, isolated, name):
    with isolated():
        _outcome(
            lambda: update_user_profile(
                db, user=get_or_create_user(db, team_id="T1", slack_user_id="UTEXT0001"), display_name=name
            ),
            lambda: db.scalar(select(User.display_name).where(User.slack_user_id == "UTEXT0001")),
            lambda: clean_name(name, field="display_name", max_len=255),
        )


def _refuse():
    raise InvalidInput("name", "blank")


def _utm(value: str) -> str | None:
    """A campaign's default UTM value as stored: cleaned, then normalized; at most 100 characters."""
    cleaned = clean_text(value, field="utm_source", max_len=None)
    if cleaned is None:
        return None
    normalized = normalize_utm_value(cleaned)
    if len(normalized) > 100:
        raise InvalidInput("utm_source", "too long")
    return normalized


def _handle_on_tiktok(ref: str) -> str:
    parsed = parse_reference(ref)
    if isinstance(parsed, Profile) and parsed.platform != "tiktok":
        raise InvalidInput("platform", "a link to another platform")
    return parsed.handle


def test_fold_in_python_and_crm_fold_in_sql_agree(db):
    """Migration 0012 copies FOLD_FROM / FOLD_TO into crm_fold(): a name and what was typed must
    fold alike, or a creator typed without accents would not be found."""
    assert len(FOLD_FROM) == len(FOLD_TO) and FOLD_TO.isascii()
    samples = [FOLD_FROM, FOLD_FROM.upper(), "Zoë Müller", "Łukasz Żółć", "Ştefan Čapek", "plain ascii 123"]
    for sample in samples:
        assert db.scalar(select(func.crm_fold(literal(sample)))) == fold(sample), sample
    assert fold("Zoë Müller") == "zoe muller"


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(FOLD_FROM + FOLD_FROM.upper() + "abcXYZ -"), max_size=30))
def test_fold_agrees_with_crm_fold_on_any_mix(db, text):
    assert db.scalar(select(func.crm_fold(literal(text)))) == fold(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Été Glow", "ete-glow"), ("Spring Sale 2026!", "spring-sale-2026"), ("@maya.fit", "maya-fit"),
     ("Zoë Müller", "zoe-muller"), ("!!!", "x"), ("", "x"),
     ("a" * 39 + " b", "a" * 39)],
)  # fmt: skip
def test_slug_is_a_file_name_part_without_accents(text, expected):
    assert slug(text, default="x") == expected
