"""gunicorn's configuration for the web process: `gunicorn -c portal/gunicorn.conf.py portal.wsgi`.

The Procfile and docs/deployment.md start the portal with it. Environment variables keep their
meaning (command-line options still override this file):

* WEB_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers, default 2),
  FORWARDED_ALLOW_IPS (the TLS proxy's address, default 127.0.0.1);
* the access log goes to standard output in gunicorn's usual format, but with paths only: no
  query string and no referrer query, which hold what officers type into searches
  (portal.access_log.QuerylessAccessLogger).
"""

import os

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
logger_class = "portal.access_log.QuerylessAccessLogger"
