"""Campaigns as artists make them: page addresses (slugs.py), artwork checks and renditions
(artwork.py) with the share card (share_card.py), the artwork's palette (palette.py) and the
fan pages' colours made from it (look.py), and saving a validated form with its artwork
(editing.py, which uses the database). Pages call these; the release source a campaign
starts from is parsed in app/platforms/release_source.py, beside the identity it resolves to."""
