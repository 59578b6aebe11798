"""Pure Block Kit builders: plain data in, slack_sdk.models out. No I/O."""
