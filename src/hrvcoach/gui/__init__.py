"""Qt edge: the practice window, trends window and the asyncio-Qt bridge. Nothing else imports Qt."""
