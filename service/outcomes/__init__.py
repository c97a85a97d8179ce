"""Teaching outcomes: what a completed session on shared equipment taught, for its owner."""
