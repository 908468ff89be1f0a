"""Qt edge: the practice and trends windows and the asyncio-Qt bridge. Nothing else imports Qt."""
