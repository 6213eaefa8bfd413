"""An artist's audience: fans who asked to hear about future releases, across campaigns,
and the announcements sent to them through the release-day outbox."""
