"""Teams listeners, one module per kind of activity; ``MomentsTeamsBot`` (bot.py) dispatches."""
