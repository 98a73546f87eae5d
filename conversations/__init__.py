"""What the bot says and asks: forms, flows and their replies, with no knowledge of Telegram."""
