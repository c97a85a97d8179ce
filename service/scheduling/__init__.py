"""Running the scheduled jobs: one scheduler leads at a time, elected through PostgreSQL."""
