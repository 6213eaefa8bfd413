"""The platforms' marks: which simple-icons logo stands for which platform, and the sprite
that holds them (built by tools/marks_sprite.py from the npm package).

Amazon Music has no mark in simple-icons (Amazon's marks were withdrawn from it), and
"Other" is no brand: both show their name alone.
"""

SIMPLE_ICONS_VERSION = "16.37.0"
SPRITE = f"vendor/simple-icons-{SIMPLE_ICONS_VERSION}/marks.svg"

# platform key -> simple-icons slug
SLUGS = {
    "apple_music": "applemusic",
    "youtube_music": "youtubemusic",
    "tidal": "tidal",
    "spotify": "spotify",
    "deezer": "deezer",
    "soundcloud": "soundcloud",
    "youtube": "youtube",
}
