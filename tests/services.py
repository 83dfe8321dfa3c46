"""Check that the services the test suite needs answer; say how to start them if not."""

import socket
import sys
from urllib.parse import urlparse

HOW_TO_START = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": (
        'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'
    ),
}


def answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def main(database_url, redis_url):
    db = urlparse(database_url)
    redis = urlparse(redis_url)
    missing = []
    for name, host, port in [
        ("PostgreSQL", db.hostname, db.port or 5432),
        ("Redis", redis.hostname, redis.port or 6379),
    ]:
        if not answers(host, port):
            missing.append(name)
            print(f"{name} does not answer at {host}:{port}. Start it, e.g.:", file=sys.stderr)
            print(f"    {HOW_TO_START[name]}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
