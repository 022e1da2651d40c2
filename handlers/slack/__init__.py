"""The Slack door: a Bolt app built by ``build_slack_app``, listeners registered per group."""
