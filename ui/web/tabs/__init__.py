"""One module per tab of the web page; each builds its tab from the services."""
