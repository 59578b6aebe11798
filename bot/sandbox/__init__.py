"""`crm-bot try`: the real app, driven from a terminal, with no Slack app and no network.

- web_api.py: a loopback stand-in for Slack's Web API and response_url, recording what the app sends;
- render.py: Block Kit (messages and modals) as readable text;
- executor.py: the listeners' thread pool, which the session waits on until a line's replies are done;
- session.py: the session, which dispatches each `/crm …` line through the real Bolt app, as Socket
  Mode would, waits for the replies and prints them.
"""
