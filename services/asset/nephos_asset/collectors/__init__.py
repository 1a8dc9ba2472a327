"""Discovery collectors: one per provider, each turning provider listings into assets."""
