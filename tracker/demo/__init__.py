"""Demo data: a believable portfolio to try the tracker with."""
