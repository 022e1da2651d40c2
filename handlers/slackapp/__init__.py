"""The Slack door (Bolt for Python)."""
