"""The portal's database backend: Django's PostgreSQL backend, watched for a frozen server (see `base`)."""
