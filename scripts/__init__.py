"""Developer scripts (screenshots) and the demo server they share with the browser tests."""
