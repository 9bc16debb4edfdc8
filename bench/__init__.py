"""`make bench`: seed a throwaway database, serve it with gunicorn, load it with wrk, report ratios."""
