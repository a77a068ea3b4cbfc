"""The dashboard's routes, one module per page: each has its HTML page and its JSON API."""
