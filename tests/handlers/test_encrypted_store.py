"""Installation tokens are encrypted at rest when a key is configured."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from handlers.encrypted_store import EncryptedInstallationStore

TOKEN = "xoxb-17-42-SuperSecretBotToken"


def raw_rows(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select * from slack_installations")).fetchall()
        rows += conn.execute(sa.text("select * from slack_bots")).fetchall()
    return repr(rows)


def test_tokens_are_encrypted_in_the_database_and_readable_through_the_store(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'i.db'}")
    inner = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    inner.create_tables()
    store = EncryptedInstallationStore(inner, "correct horse battery staple")
    store.save(Installation(app_id="A1", team_id="T1", user_id="U1", bot_token=TOKEN,
                            bot_id="B1", bot_user_id="UB1", bot_scopes=["chat:write"]))
    assert TOKEN not in raw_rows(engine) and "enc:v1:" in raw_rows(engine)
    found = store.find_installation(enterprise_id=None, team_id="T1")
    assert found is not None and found.bot_token == TOKEN
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == TOKEN
    with pytest.raises(RuntimeError, match="MOMENTS_ENCRYPTION_KEY changed"):
        EncryptedInstallationStore(inner, "another key").find_bot(enterprise_id=None, team_id="T1")


def test_tokens_stored_before_encryption_stay_readable(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'i.db'}")
    inner = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    inner.create_tables()
    inner.save(Installation(app_id="A1", team_id="T1", user_id="U1", bot_token=TOKEN, bot_id="B1",
                            bot_user_id="UB1"))
    bot = EncryptedInstallationStore(inner, "k").find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == TOKEN
