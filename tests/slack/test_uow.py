"""@unit_of_work: what Bolt sees, what the listener gets, commit on success, rollback on error."""

from __future__ import annotations

import inspect

from slack_bolt.util.utils import get_arg_names_of_callable
from sqlalchemy import func, select

from crm.errors import InvalidInput
from crm.models import Influencer, User
from handlers.uow import unit_of_work


def test_bolt_sees_the_listener_parameters_minus_injected_plus_context():
    @unit_of_work
    def show_card(ack, command, respond, db, actor, settings):
        """Show a card."""

    # exactly what Bolt computes when the listener is registered
    assert get_arg_names_of_callable(show_card) == [
        "ack",
        "command",
        "respond",
        "settings",
        "context",
        "body",
    ]
    assert show_card.__name__ == "show_card"
    assert show_card.__doc__ == "Show a card."
    assert "db" in inspect.signature(show_card.__uow_listener__).parameters


def test_listener_that_declares_context_is_not_given_it_twice():
    @unit_of_work
    def listener(context, db):
        pass

    assert get_arg_names_of_callable(listener) == ["context", "body"]


def test_listener_gets_db_actor_and_bolt_args_and_the_work_is_committed(slack_app):
    seen = {}

    @slack_app.app.command("/probe")
    @unit_of_work
    def probe(ack, command, db, actor, settings):
        ack()
        seen.update(actor=actor, settings=settings, text=command["text"])
        db.add(Influencer(team_id=actor.team_id, name="Maya", handle="maya", platform="instagram"))

    response = slack_app.send(slack_app.payloads.command("hello", command="/probe", user_id="UMAYA00001"))

    assert response.status == 200
    assert seen["text"] == "hello"
    assert seen["settings"] is slack_app.settings
    assert (seen["actor"].team_id, seen["actor"].slack_user_id) == ("T0001", "UMAYA00001")
    with slack_app.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Influencer)) == 1
        assert conn.scalar(select(func.count()).select_from(User)) == 1


def test_an_exception_rolls_back_everything_and_reaches_the_error_handler(slack_app):
    @slack_app.app.command("/probe")
    @unit_of_work
    def probe(ack, db, actor):
        db.add(Influencer(team_id=actor.team_id, name="Maya", handle="maya", platform="instagram"))
        db.flush()
        raise InvalidInput("handle", "That handle is taken.")

    response = slack_app.send(slack_app.payloads.command("x", command="/probe"))

    # not acked before the error: the error handler's answer becomes the ack, shown ephemerally
    assert response.status == 200
    assert "That handle is taken." in response.body
    with slack_app.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Influencer)) == 0
        # the actor upsert was part of the same transaction, so it is rolled back too
        assert conn.scalar(select(func.count()).select_from(User)) == 0


def test_the_same_user_is_the_same_actor_across_requests(slack_app):
    actors = []

    @slack_app.app.command("/probe")
    @unit_of_work
    def probe(ack, actor):
        ack()
        actors.append(actor.id)

    for _ in range(2):
        slack_app.send(slack_app.payloads.command("x", command="/probe"))
    slack_app.send(slack_app.payloads.command("x", command="/probe", team_id="T0002"))

    assert actors[0] == actors[1] != actors[2]


def test_two_first_requests_of_a_new_user_race_to_one_row(clean_tables):
    """The second insert waits on the first's uncommitted row, finds nothing, and falls back."""
    from concurrent.futures import ThreadPoolExecutor

    from slack_bolt import BoltContext
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from handlers.uow import load_actor

    context = BoltContext({"team_id": "T0001", "user_id": "URACE00001"})
    first = Session(clean_tables)
    first_actor = load_actor(first, context)  # inserted, not committed yet

    def second():
        with Session(clean_tables) as db, db.begin():
            return load_actor(db, context).id

    with ThreadPoolExecutor(1) as pool:
        racing = pool.submit(second)
        with clean_tables.connect() as conn:  # wait until the second insert blocks on our row
            while (
                not racing.done()
                and not conn.execute(
                    text("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'")
                ).scalar()
            ):
                conn.rollback()
        first.commit()
        assert racing.result(timeout=30) == first_actor.id
    first.close()
    with clean_tables.connect() as conn:
        assert conn.execute(select(func.count()).select_from(User)).scalar() == 1


def test_an_error_after_ack_is_reported_here_and_not_raised_into_bolts_runner(clean_tables, caplog):
    """Bolt's runner, given an exception after ack(), can hand a 500 to the request thread."""
    import pytest
    from slack_bolt import BoltContext

    from bot.app import StickyAck

    @unit_of_work
    def listener(ack, db):
        ack()
        raise RuntimeError("boom after ack")

    @unit_of_work
    def failing_early(ack, db):
        raise RuntimeError("boom before ack")

    def context() -> BoltContext:
        ctx = BoltContext({"engine": clean_tables, "team_id": "T0001", "user_id": "UALICE0001"})
        ctx["ack"] = StickyAck()
        return ctx

    ctx = context()
    assert listener(ack=ctx.ack, context=ctx, body={"type": "block_actions"}) is None
    assert ctx.ack.response.status == 200
    assert "unexpected error" in caplog.text  # bot.errors.handle_error logged it with an error id
    with pytest.raises(RuntimeError):  # before ack(), Bolt's runner must see it to answer Slack
        ctx = context()
        failing_early(ack=ctx.ack, context=ctx, body={"type": "block_actions"})


def test_every_listener_the_app_registers_goes_through_unit_of_work(slack_app):
    """So each one gets its after-ack error handling (and no listener needs its own try/except)."""
    bare = [
        listener.ack_function.__name__
        for listener in slack_app.app._listeners
        if not hasattr(listener.ack_function, "__uow_listener__")
    ]
    assert len(slack_app.app._listeners) > 20 and bare == []


def test_an_app_home_button_whose_modal_fails_after_ack_tells_the_user(slack_app, caplog):
    from handlers.ids import Action

    slack_app.send(slack_app.payloads.app_home_opened())
    home = slack_app.fake.last("views.publish").response["view"]
    slack_app.fake.fail("views.open", error="expired_trigger_id")
    button = slack_app.payloads.button(Action.HOME_ADD_INFLUENCER, "")
    request = slack_app.payloads.block_actions([button], view=home)
    response = slack_app.send(request)
    assert response.status == 200  # acknowledged before views.open failed, and it stays acknowledged
    (told,) = slack_app.fake.calls_to("chat.postMessage")  # App Home: no channel, no response_url
    assert "Something went wrong (error id" in told.text
    assert "unexpected error" in caplog.text
