"""A campaign's subscribers as the artist sees them: the listing and the CSV export."""
