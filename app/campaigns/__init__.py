"""Campaign domain rules that need neither the app nor the database."""
