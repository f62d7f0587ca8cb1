"""Safe-journey check-ins: scheduled "are you OK?" messages after a young person leaves (docs/checkins.md)."""
