"""Customer projects: attributes, milestones and the portfolio."""
