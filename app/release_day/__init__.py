"""Release day: find the release, turn the page into a Smart Link, and deliver every fan's
save, email and push exactly once (see schedule.py for how the pieces are driven)."""
