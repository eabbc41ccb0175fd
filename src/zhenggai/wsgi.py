"""The WSGI application for a production server (`zhenggai serve`, or gunicorn, uWSGI, mod_wsgi):
`zhenggai.wsgi:application`. Reads the configuration file as the `zhenggai` command does."""

import os

from django.core.wsgi import get_wsgi_application

from zhenggai.env import load_env_file, restrict_umask

load_env_file()  # /etc/zhenggai/zhenggai.env or ZHENGGAI_ENV_FILE
restrict_umask()  # uploads, staging files and the SQLite database: not world-readable
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenggai.settings")
application = get_wsgi_application()
