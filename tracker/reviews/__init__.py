"""Standing responsibilities: once a project has gone live, its operations rows' items are
ongoing duties (who watches the monitoring, who applies the updates) with no due date that
makes them late; a row with a review rhythm (``review_every``) gives them a dated review
when it comes round (``flask --app app reviews create``)."""
