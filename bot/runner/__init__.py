"""``wikilint run``: bot.toml, the journal, page checks and the scheduled loop."""
