"""The core's markup (bot/markup.py) as each door renders it: the same core text shows as Slack
mrkdwn, Teams TextBlock markdown and plain console text, and user text never turns into formatting."""

from __future__ import annotations

from bot.markup import bold, code, item, link, mention, plain
from handlers.slack.markup import from_core
from handlers.slack.markup import plain as slack_plain
from handlers.teams.cards import markdown

USER = "Fish & chips <b>*free*</b> for _all_ `now`"
CORE = "\n".join([
    bold("Gate crew") + ": digest",
    item(f"“{USER}” — thanks {mention('U123ABC')}"),
    f"Run {code('/moments file 3 <touchpoint>')} or see {link('https://example.com/a?b=1&c=2', 'the guide')}",
])


def test_slack_renders_mrkdwn_and_keeps_user_text_literal() -> None:
    shown = from_core(CORE, mention=["U123ABC"])
    assert shown.startswith("*Gate crew*: digest\n• “Fish &amp; chips &lt;b&gt;")
    assert "<@U123ABC>" in shown
    assert "`/moments file 3 &lt;touchpoint&gt;`" in shown
    assert "<https://example.com/a?b=1&amp;c=2|the guide>" in shown
    # the user's asterisks, underscores and backticks show as themselves, never as formatting
    assert "*free*" not in shown and "_all_" not in shown and "`now`" not in shown
    assert shown.count("<!date^00000000^{_}|*>") == 2 and "|`>now<!date" in shown
    assert "<b>" not in shown


def test_slack_pings_only_the_people_it_is_told_to() -> None:
    assert "<@U123ABC>" not in from_core(CORE)
    assert "@U123ABC" in from_core(CORE)


def test_teams_renders_markdown_and_keeps_user_text_literal() -> None:
    shown = markdown(CORE)
    assert shown.startswith("**Gate crew**: digest\n• “Fish & chips <b>\\*free\\*</b> for \\_all\\_")
    assert "@U123ABC" in shown  # named by the door once it knows the person
    assert "`/moments file 3 <touchpoint>`" in shown
    assert "[the guide](https://example.com/a?b=1&c=2)" in shown


def test_console_shows_plain_text() -> None:
    assert plain(CORE) == (
        "Gate crew: digest\n"
        f"• “{USER}” — thanks @U123ABC\n"
        "Run /moments file 3 <touchpoint> or see the guide (https://example.com/a?b=1&c=2)"
    )


def test_user_text_cannot_forge_marks() -> None:
    forged = "\ufdd0bold\ufdd6 \ufdd3U999\ufdd6"
    assert plain(bold(forged)) == "bold U999"
    assert "<@U999>" not in from_core(f"said: {slack_plain(forged)}", mention=["U999"])  # typed in Slack
