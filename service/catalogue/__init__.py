"""Training bases, opening hours, closures, equipment categories, equipment, qualifications."""
