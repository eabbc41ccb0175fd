"""The WSGI application for a production server (gunicorn, uWSGI, mod_wsgi): `zhenggai.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

from zhenggai.env import restrict_umask

restrict_umask()  # uploads, staging files and the SQLite database: not world-readable
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenggai.settings")
application = get_wsgi_application()
