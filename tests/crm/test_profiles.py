"""crm.profiles: what a reference names, and when two profiles are the same (property tests)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.errors import InvalidInput
from crm.profiles import (
    BareHandle,
    Profile,
    handles_in,
    on_platform,
    parse_profile,
    parse_reference,
    platform_named,
    stored_profile,
    validate_platform,
)


def identity(text: str) -> str:
    parsed = parse_reference(text)
    assert isinstance(parsed, Profile), text
    return parsed.identity


# ---- the cases from the issue, and examples of each rule ----------------------------------------


def test_two_medium_writers_are_two_profiles():
    assert identity("https://medium.com/@anna.writes") != identity("https://medium.com/@someone.else")
    assert identity("example.com/blog/anna") != identity("example.com/blog/bob")


@pytest.mark.parametrize(
    ("text", "platform", "handle", "url", "key"),
    [
        (
            "https://www.instagram.com/maya/?igsh=abc#top",
            "instagram",
            "maya",
            "https://www.instagram.com/maya/",
            "instagram:maya",
        ),
        ("instagram.com/Maya", "instagram", "Maya", "https://www.instagram.com/Maya/", "instagram:maya"),
        (
            "https://www.tiktok.com/@maya.cooks",
            "tiktok",
            "maya.cooks",
            "https://www.tiktok.com/@maya.cooks",
            "tiktok:maya.cooks",
        ),
        ("https://mobile.twitter.com/maya?s=20", "x", "maya", "https://x.com/maya", "x:maya"),
        (
            "https://www.twitch.tv/maya_live",
            "twitch",
            "maya_live",
            "https://www.twitch.tv/maya_live",
            "twitch:maya_live",
        ),
        (
            "https://www.linkedin.com/in/maya-lopez/",
            "linkedin",
            "maya-lopez",
            "https://www.linkedin.com/in/maya-lopez/",
            "linkedin:maya-lopez",
        ),
        (
            "https://youtube.com/@Priya/videos?si=xyz",
            "youtube",
            "Priya",
            "https://www.youtube.com/@Priya",
            "youtube:priya",
        ),
        (
            "https://m.youtube.com/channel/UCabcDEF123",
            "youtube",
            "UCabcDEF123",
            "https://www.youtube.com/channel/UCabcDEF123",
            "youtube:channel/UCabcDEF123",
        ),
        (
            "https://www.youtube.com/c/MayaCooks",
            "youtube",
            "MayaCooks",
            "https://www.youtube.com/c/MayaCooks",
            "youtube:c/mayacooks",
        ),
        (
            "https://medium.com/@Anna.Writes/my-first-post-1a2b3c",
            "blog",
            "Anna.Writes",
            "https://medium.com/@Anna.Writes",
            "url:medium.com/@anna.writes",
        ),
        ("https://anna.medium.com/", "blog", "anna", "https://medium.com/@anna", "url:medium.com/@anna"),
        (
            "https://medium.com/towards-data-science",
            "blog",
            "towards-data-science",
            "https://medium.com/towards-data-science",
            "url:medium.com/towards-data-science",
        ),
        ("anna.substack.com", "blog", "anna", "https://anna.substack.com", "url:anna.substack.com"),
        (
            "https://anna.substack.com/p/hello?utm_source=twitter",
            "blog",
            "anna",
            "https://anna.substack.com",
            "url:anna.substack.com",
        ),
        (
            "https://substack.com/@anna",
            "blog",
            "anna",
            "https://substack.com/@anna",
            "url:substack.com/@anna",
        ),
        (
            "https://linktr.ee/Sophie.Glow",
            "other",
            "Sophie.Glow",
            "https://linktr.ee/Sophie.Glow",
            "url:linktr.ee/sophie.glow",
        ),
        (
            "https://WWW.Example.com/Blog/Anna/?utm_campaign=x&fbclid=1",
            "blog",
            "example.com/Blog/Anna",
            "https://example.com/Blog/Anna",
            "url:example.com/blog/anna",
        ),
        (
            "http://example.com/profile.php?id=42&gclid=9",
            "blog",
            "example.com/profile.php?id=42",
            "http://example.com/profile.php?id=42",
            "url:example.com/profile.php?id=42",
        ),
        ("mayacooks.com/", "blog", "mayacooks.com", "https://mayacooks.com", "url:mayacooks.com"),
    ],
)
def test_parse_reference(text, platform, handle, url, key):
    assert parse_reference(text) == Profile(platform, handle, url, key)


@pytest.mark.parametrize(
    ("text", "handle"), [("@maya", "maya"), ("maya", "maya"), ("  @Maya.Lopez_1 ", "Maya.Lopez_1")]
)
def test_bare_handles(text, handle):
    assert parse_reference(text) == BareHandle(handle)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "@",
        "maya lopez",
        "@@maya",
        "maya!",
        "https://",
        "https://instagram.com/",
        "https://www.instagram.com/p/Cx123abc/",
        "https://www.tiktok.com/maya",
        "https://youtube.com/watch?v=abc",
        "https://youtu.be/abc",
        "https://x.com/i/status/1",
        "https://linkedin.com/company/acme",
        "https://medium.com/",
        "https://medium.com/tag/python",
        "https://substack.com/",
        "https://substack.com/home",
        "https://linktr.ee/",
        "https://localhost/anna",
        "https://example.com:99999/anna",
        "x" * 101,
    ],
)
def test_parse_rejects_junk_naming_the_field(text):
    with pytest.raises(InvalidInput) as err:
        parse_reference(text)
    assert err.value.field == "influencer"
    assert err.value.message


def test_a_handle_on_a_platform():
    assert on_platform("Priya", "youtube") == Profile(
        "youtube", "Priya", "https://www.youtube.com/@Priya", "youtube:priya"
    )
    assert on_platform("mayacooks.com", "blog").identity == "url:mayacooks.com"
    assert on_platform("anna", "other") == Profile("other", "anna", None, "other:anna")
    assert parse_profile("@priya", platform="YouTube").identity == identity("youtube.com/@PRIYA")
    with pytest.raises(InvalidInput) as err:
        parse_profile("@priya")
    assert err.value.field == "platform" and "@priya" in err.value.message
    with pytest.raises(InvalidInput) as err:
        parse_profile("tiktok.com/@maya", platform="youtube")
    assert err.value.field == "platform"


@pytest.mark.parametrize(
    ("word", "platform"),
    [
        ("TikTok", "tiktok"),
        (" youtube ", "youtube"),
        ("yt", "youtube"),
        ("IG", "instagram"),
        ("insta", "instagram"),
        ("tt", "tiktok"),
        ("twitter", "x"),
        ("li", "linkedin"),
        # A blog's short forms name no platform where a handle is a profile: medium.com/@anna is a link.
        ("medium", None),
        ("substack", None),
        ("website", None),
        ("tiktk", None),  # a misspelling is for the caller to point out
        ("", None),
    ],
)
def test_the_platform_a_word_names(word, platform):
    assert platform_named(word) == platform
    if platform is not None:
        assert validate_platform(word) == platform
    else:
        with pytest.raises(InvalidInput) as err:
            validate_platform(word)
        assert err.value.field == "platform"


def test_rows_saved_before_profiles_existed():
    medium = stored_profile(
        platform="blog", handle="medium.com", profile_url="https://medium.com/@anna.writes"
    )
    assert (medium.handle, medium.identity) == ("anna.writes", "url:medium.com/@anna.writes")
    assert (
        stored_profile(platform="blog", handle="linktr.ee", profile_url="https://linktr.ee/sophie").platform
        == "other"
    )
    # A link to another handle does not change who an instagram row is.
    assert (
        stored_profile(platform="instagram", handle="maya", profile_url="https://instagram.com/bob").identity
        == "instagram:maya"
    )
    assert stored_profile(platform="tiktok", handle="maya", profile_url=None).identity == "tiktok:maya"
    assert (
        stored_profile(platform="instagram", handle="odd handle!", profile_url=None).identity
        == "instagram:odd handle!"
    )


# ---- properties ----------------------------------------------------------------------------------
# A profile is drawn as a canonical spec; distinct specs are distinct profiles. Each is then
# written in one of the many ways people paste it.

_name = st.from_regex(r"[a-z0-9][a-z0-9_.]{0,14}[a-z0-9]", fullmatch=True)
_label = st.from_regex(r"[a-z0-9]{2,12}", fullmatch=True)  # fits a subdomain
_RESERVED = {"p", "reel", "reels", "explore", "stories", "accounts", "tv", "direct", "about", "home", "i"}
_RESERVED |= {"intent", "search", "share", "hashtag", "settings", "messages", "directory", "videos"}
_RESERVED |= {"m", "me", "tag", "tags", "topic", "topics", "plans", "membership", "s", "admin", "login"}
_RESERVED |= {"register", "discover", "marketplace", "www", "mobile", "help", "policy", "blog", "api"}
_RESERVED |= {"cdn", "on", "open", "support"}
_KNOWN_HOSTS = {"instagram", "tiktok", "youtube", "twitch", "linkedin", "medium", "substack", "twitter"}
_KNOWN_HOSTS |= {"linktree", "linktr", "youtu"}
# Small pools as well as random text, so that two drawn profiles often share a host or a handle.
name = st.one_of(st.sampled_from(["anna", "bob", "anna.writes", "maya_1"]), _name).filter(
    lambda n: n not in _RESERVED
)
label = st.one_of(st.sampled_from(["anna", "bob"]), _label).filter(lambda n: n not in _RESERVED)
channel = st.from_regex(r"UC[A-Za-z0-9_-]{22}", fullmatch=True)
random_host = st.tuples(
    st.from_regex(r"[a-z][a-z0-9-]{1,10}[a-z0-9]", fullmatch=True).filter(lambda h: h not in _KNOWN_HOSTS),
    st.sampled_from(["com", "net", "io", "blog", "dev", "co.uk"]),
).map(".".join)
host = st.one_of(st.sampled_from(["example.com", "mayacooks.co.uk"]), random_host)
segment = st.one_of(
    st.sampled_from(["blog", "anna", "bob"]), st.from_regex(r"[a-z0-9][a-z0-9-]{0,9}", fullmatch=True)
)

specs = st.one_of(
    st.tuples(st.sampled_from(["instagram", "tiktok", "x", "twitch", "linkedin", "youtube"]), name),
    st.tuples(st.just("youtube-channel"), channel),
    st.tuples(st.sampled_from(["youtube-c", "youtube-user", "medium", "substack-profile", "linktree"]), name),
    st.tuples(st.sampled_from(["medium-sub", "substack"]), label),
    st.tuples(
        st.just("site"),
        host,
        st.lists(segment, max_size=3).map(tuple),
        st.one_of(st.none(), st.integers(1, 3), st.integers(1, 10**6)),
    ),
)

TRACKING = ["utm_source=ig", "utm_medium=social", "fbclid=IwAR0x", "si=aBc123", "igsh=MzRl", "gclid=1"]


@st.composite
def written(draw, spec) -> str:
    """One way of writing the profile `spec`: scheme, www./m., case, slash, query, fragment."""
    kind = spec[0]

    def case(text: str) -> str:
        return "".join(c.upper() if draw(st.booleans()) else c for c in text)

    prefix = draw(st.sampled_from(["", "www.", "m."]))
    tail = ""
    if kind == "medium-sub":
        where = case(f"{spec[1]}.medium.com")
        tail = draw(st.sampled_from(["", "/", "/some-post-1a2b"]))
    elif kind == "medium":
        where = case(f"{prefix}medium.com") + "/@" + case(spec[1])
        tail = draw(st.sampled_from(["", "/", "/a-post-9f8e"]))
    elif kind == "substack":
        where = case(f"{spec[1]}.substack.com")
        tail = draw(st.sampled_from(["", "/", "/p/hello-world", "/archive"]))
    elif kind == "site":
        _, site, path, ident = spec
        where = case(prefix + site) + "".join("/" + case(s) for s in path)
        tail = draw(st.sampled_from(["", "/"]))
        params = draw(st.lists(st.sampled_from(TRACKING), max_size=3))
        if ident is not None:
            params.insert(draw(st.integers(0, len(params))), f"id={ident}")
        query = "&".join(params)
        return _finish(draw, where + tail, query)
    else:
        hosts = {
            "instagram": ("instagram.com", "/{}"),
            "tiktok": ("tiktok.com", "/@{}"),
            "x": (draw(st.sampled_from(["x.com", "twitter.com"])), "/{}"),
            "twitch": ("twitch.tv", "/{}"),
            "linkedin": ("linkedin.com", "/in/{}"),
            "youtube": ("youtube.com", "/@{}"),
            "youtube-channel": ("youtube.com", "/channel/{}"),
            "youtube-c": ("youtube.com", "/c/{}"),
            "youtube-user": ("youtube.com", "/user/{}"),
            "substack-profile": ("substack.com", "/@{}"),
            "linktree": ("linktr.ee", "/{}"),
        }
        site, path = hosts[kind]
        value = spec[1] if kind == "youtube-channel" else case(spec[1])  # channel ids keep their case
        where = case(prefix + site if kind != "linktree" else site) + path.format(value)
        tail = draw(st.sampled_from(["", "/"] + (["/videos", "/featured"] if kind == "youtube" else [])))
    query = "&".join(draw(st.lists(st.sampled_from([*TRACKING, "hl=en", "lang=de", "x=1"]), max_size=3)))
    return _finish(draw, where + tail, query)


def _finish(draw, where: str, query: str) -> str:
    scheme = draw(st.sampled_from(["https://", "http://", "HTTPS://", ""]))
    if not scheme and "/" not in where:
        where += "/"  # without a scheme, a link is a host followed by a path
    fragment = draw(st.sampled_from(["", "#top", "#"]))
    return f"{scheme}{where}{'?' + query if query else ''}{fragment}"


@given(data=st.data(), spec=specs)
def test_the_same_profile_written_differently_is_one_profile(data, spec):
    first, second = data.draw(written(spec)), data.draw(written(spec))
    assert identity(first) == identity(second), (first, second)


@st.composite
def neighbour(draw, spec: tuple) -> tuple:
    """A profile one step from `spec`: another kind with the same handle, another handle, another
    path or `?id=` on the same site."""
    kind = spec[0]
    if kind == "site":
        _, site, path, ident = spec
        change = draw(st.sampled_from(["path", "id", "host"]))
        if change == "path":
            path = draw(st.lists(segment, max_size=3).map(tuple).filter(lambda p: p != path))
        elif change == "id":
            ident = draw(st.one_of(st.none(), st.integers(1, 3)).filter(lambda i: i != ident))
        else:
            site = draw(host.filter(lambda h: h != site))
        return ("site", site, path, ident)
    if draw(st.booleans()) and kind != "youtube-channel":
        other = draw(
            st.sampled_from(["instagram", "tiktok", "x", "youtube", "youtube-c", "medium", "linktree"])
        )
        return (other, spec[1])
    pool = {"youtube-channel": channel, "medium-sub": label, "substack": label}.get(kind, name)
    return (kind, draw(pool.filter(lambda n: n != spec[1])))


@settings(max_examples=500)
@given(data=st.data(), a=specs, b=specs)
def test_two_different_profiles_never_collapse(data, a, b):
    if data.draw(st.booleans()):
        b = data.draw(neighbour(a))
    if _same(a, b):
        return
    first, second = data.draw(written(a)), data.draw(written(b))
    assert identity(first) != identity(second), (first, second)


def _same(a: tuple, b: tuple) -> bool:
    """Whether two specs are one profile: anna.medium.com is medium.com/@anna."""

    def canonical(spec: tuple) -> tuple:
        return ("medium", spec[1]) if spec[0] == "medium-sub" else spec

    return canonical(a) == canonical(b)


@given(
    handle=_name.filter(lambda n: n not in _RESERVED),
    platform=st.sampled_from(["instagram", "tiktok", "x", "twitch", "linkedin", "youtube"]),
)
def test_a_handle_and_its_link_are_one_profile(handle, platform):
    profile = on_platform(handle.upper(), platform)
    assert identity(profile.url) == profile.identity == on_platform(handle, platform).identity


@pytest.mark.parametrize(
    ("text", "handles"),
    [
        ("Call with @maya.lopez. She is in.", ["maya.lopez"]),
        ("@sophie_glow and (@zoe-k), again @sophie_glow!", ["sophie_glow", "zoe-k"]),
        ("write to maya@eats.example or @@nope", []),
        ("an ellipsis @... and a lone @", []),
        ("@UBOB000001 as text is a handle", ["UBOB000001"]),
    ],
)
def test_the_handles_written_in_text(text, handles):
    assert handles_in(text) == handles
