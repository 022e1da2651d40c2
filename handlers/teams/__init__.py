"""The Microsoft Teams door: a botbuilder TeamsActivityHandler on a CloudAdapter, Adaptive Cards,
proactive posts to stored conversation references, and the Teams app package."""
