"""The Celery fleet: real `celery worker` processes, Redis, PostgreSQL and FakeInstantly."""
