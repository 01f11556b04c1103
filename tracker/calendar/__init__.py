"""Each user's private iCalendar feed of the due dates of the items they may update."""
