"""`make run`: the embedded demo's web server listens on the port asked for (PORT)."""

import os
import shlex
import subprocess
from pathlib import Path

from django.conf import settings
from honcho.environ import expand_processes, parse_procfile

BASE_DIR = Path(settings.BASE_DIR)


def dry_run(*arguments: str) -> list[str]:
    """The commands `make run` would execute (`make -n`: nothing is run)."""
    environment = {k: v for k, v in os.environ.items() if k not in {"PORT", "SITE_URL"}}
    result = subprocess.run(
        ["make", "-n", "run", *arguments],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def web_command(honcho_line: str) -> str:
    """The web process's command as the shell would run it under honcho from `make run`.

    Honcho gives the first process of the Procfile the port it was started with (PORT
    or --port) in $PORT, and runs each command through the shell.
    """
    words = shlex.split(honcho_line.split("honcho", 1)[1])
    port = int(words[words.index("--port") + 1]) if "--port" in words else 5000
    procfile = parse_procfile((BASE_DIR / "Procfile.dev").read_text())
    web = next(p for p in expand_processes(procfile.processes, port=port) if p.name == "web.1")
    expanded = subprocess.run(
        ["sh", "-c", f"echo {web.cmd}"],
        env={"PATH": os.environ["PATH"], **web.env},
        capture_output=True,
        text=True,
        check=True,
    )
    return expanded.stdout.strip()


def test_make_run_port_changes_the_web_servers_port_and_the_printed_url():
    lines = dry_run("PORT=8001")
    honcho = next(line for line in lines if "honcho" in line)
    assert "runserver 127.0.0.1:8001 " in web_command(honcho)
    assert any("http://127.0.0.1:8001/" in line for line in lines if "echo" in line)
    assert not any("8000" in line for line in lines)


def test_make_run_listens_on_port_8000_by_default():
    lines = dry_run()
    honcho = next(line for line in lines if "honcho" in line)
    assert "runserver 127.0.0.1:8000 " in web_command(honcho)
    assert any("http://127.0.0.1:8000/" in line for line in lines if "echo" in line)
