"""What an enterprise's offers produced: impact figures, monthly summaries, contribution."""
