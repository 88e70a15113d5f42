"""docker-compose.yml and the Dockerfile, parsed (no Docker engine here), must
name modules, queues, commands, URLs and variables that exist in the code."""

import importlib
import json
import re
import shlex
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from celery import Celery
from django.conf import settings
from django.core.management import get_commands
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent
SERVICES = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
APP_SERVICES = sorted(name for name, svc in SERVICES.items() if "build" in svc)
LONG_RUNNING = ["postgres", "redis", "web", "worker", "beat"]
DOCKERFILE = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
SOURCE = "".join(p.read_text() for p in (ROOT / "config/settings").glob("*.py"))
KNOWN_VARS = {"DJANGO_SETTINGS_MODULE"} | set(
    re.findall(r'env_(?:str|bool|int|list)\(\s*"(\w+)"', SOURCE)
)
ROUTED = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
QUEUES = ROUTED | {settings.CELERY_TASK_DEFAULT_QUEUE}
WSGI_TARGET = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")


def argv(name):
    command = SERVICES[name]["command"]
    return shlex.split(command) if isinstance(command, str) else list(map(str, command))


def option(args, *names):
    return next((args[i + 1] for i, a in enumerate(args[:-1]) if a in names), None)


def env(name):
    return SERVICES[name].get("environment") or {}


def healthcheck(name):
    test = SERVICES[name]["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(map(str, test))


def initdb_roles(postgres):
    """Roles (name: password) the mounted docker-entrypoint-initdb.d scripts
    create, next to the owner from POSTGRES_USER."""
    roles = {}
    for volume in postgres.get("volumes", []):
        source, _, target = volume.partition(":")
        if target.split(":")[0] == "/docker-entrypoint-initdb.d":
            for script in sorted((ROOT / source).glob("*.sql")):
                found = re.findall(
                    r"CREATE ROLE (\w+) LOGIN PASSWORD '([^']*)'", script.read_text()
                )
                roles.update(found)
    return roles


def dockerfile(instruction):
    return re.findall(rf"^{instruction}\s+(.*)$", DOCKERFILE, flags=re.MULTILINE)


def test_services_exist_with_healthchecks_and_ordered_start():
    for name in LONG_RUNNING:
        assert name in SERVICES, f"docker-compose.yml has no `{name}` service"
        assert SERVICES[name].get("healthcheck", {}).get("test"), f"{name}: no check"
    assert {"web", "worker", "beat"} <= set(APP_SERVICES), "app services need build"
    migrate = [n for n in APP_SERVICES if argv(n)[1:3] == ["manage.py", "migrate"]]
    assert migrate, "no service runs `manage.py migrate`"
    for name, svc in SERVICES.items():
        deps = svc.get("depends_on") or {}
        if name in APP_SERVICES:
            assert {"postgres", "redis"} <= set(deps), f"{name}: wait for db, redis"
        if name in ["web", "worker", "beat"]:
            assert migrate[0] in deps, f"{name} must start after {migrate[0]}"
        for target, spec in deps.items():
            assert target in SERVICES, f"{name} depends on unknown service {target}"
            wanted = "service_completed_successfully"
            wanted = "service_healthy" if target in LONG_RUNNING else wanted
            assert spec.get("condition") == wanted, f"{name} -> {target}: {wanted}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_command_points_at_real_code(name):
    args = argv(name)
    if args[0] == "gunicorn":
        target = next((a for a in args[1:] if WSGI_TARGET.fullmatch(a)), None)
        assert target, f"{name}: no module:attribute WSGI target in {args}"
        module, attr = target.split(":")
        assert callable(getattr(importlib.import_module(module), attr, None)), target
    elif args[0] == "celery":
        module = importlib.import_module(option(args, "-A", "--app"))
        app = getattr(module, "celery_app", None) or getattr(module, "app", None)
        assert isinstance(app, Celery), f"{name}: -A {module.__name__} has no app"
        assert {"worker", "beat"} & set(args), f"{name}: celery worker or beat?"
        for queue in (option(args, "-Q", "--queues") or "").split(","):
            assert not queue or queue in QUEUES, f"{name}: unknown queue {queue!r}"
    elif "manage.py" in args:
        command = args[args.index("manage.py") + 1]
        assert command in get_commands(), f"{name}: no management command {command}"
    else:
        pytest.fail(f"{name}: unrecognised command {args}")


def test_every_routed_queue_is_consumed():
    workers = [argv(n) for n in APP_SERVICES if argv(n)[:1] == ["celery"]]
    queues = [option(a, "-Q", "--queues") or "" for a in workers if "worker" in a]
    missing = QUEUES - set(",".join(queues).split(","))
    assert not missing, f"no worker consumes queue(s) {sorted(missing)}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_environment_matches_settings(name):
    environment = env(name)
    importlib.import_module(environment["DJANGO_SETTINGS_MODULE"])
    for key, value in environment.items():
        assert key in KNOWN_VARS, f"{name}: {key} is not read by config/settings"
        for var in re.findall(r"(?<!\$)\$\{(\w+)", str(value)):
            assert var in KNOWN_VARS, f"{name}: ${{{var}}} is not read by settings"
    for secret in ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS"]:
        assert str(environment.get(secret)).startswith(f"${{{secret}:?"), secret
    assert environment.get("DEBUG") in (None, "0", 0, False), f"{name}: DEBUG on"
    db = urlparse(environment["DATABASE_URL"])
    postgres = SERVICES.get(db.hostname, {})
    assert postgres.get("image", "").startswith("postgres"), f"{name}: {db.hostname}"
    pg = postgres["environment"]
    assert db.path.lstrip("/") == pg["POSTGRES_DB"], f"{name}: database name"
    logins = {pg.get("POSTGRES_USER", "postgres"): pg.get("POSTGRES_PASSWORD")}
    logins |= initdb_roles(postgres)
    assert logins.get(db.username, ()) == db.password, f"{name}: db user/password"
    redis = urlparse(environment["REDIS_URL"]).hostname
    image = SERVICES.get(redis, {}).get("image", "")
    assert image.startswith("redis"), f"{name}: REDIS_URL host {redis} is no redis"


def test_healthchecks_target_the_right_url_and_node():
    port = option(argv("web"), "--bind", "-b").split(":")[-1]
    check = healthcheck("web")
    url = urlparse(re.search(r"http://[^'\"\s]+", check).group())
    assert str(url.port) == port, f"web healthcheck port {url.port} != bind {port}"
    published = [str(p).split(":")[-1] for p in SERVICES["web"].get("ports", [])]
    assert port in published, f"web publishes {published}, gunicorn binds {port}"
    resolve(url.path)  # raises Resolver404 on a typo
    hosts = env("web")["ALLOWED_HOSTS"].split(",")
    assert url.hostname in hosts, "healthcheck host must be in ALLOWED_HOSTS"
    ping = healthcheck("worker")
    assert f"-A {option(argv('worker'), '-A')} inspect ping" in ping, ping
    assert option(argv("worker"), "-n", "--hostname") is None, "ping needs -n name"
    assert "celery@$$HOSTNAME" in ping, "ping the default node name celery@%h"


def test_dockerfile_has_weasyprint_libraries_and_web_cmd():
    installs = " ".join(r for r in dockerfile("RUN") if "apt-get install" in r).split()
    for package in ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"]:
        assert package in installs, f"Dockerfile does not apt-get install {package}"
    cmd, web = json.loads(dockerfile("CMD")[-1]), argv("web")
    assert cmd[0] == web[0] == "gunicorn", f"not gunicorn: {cmd}, {web}"
    target = [next(a for a in args if WSGI_TARGET.fullmatch(a)) for args in (cmd, web)]
    assert target[0] == target[1], f"Dockerfile CMD {cmd} != web command {web}"
    assert option(cmd, "--bind", "-b") == option(web, "--bind", "-b"), "bind"


def test_dockerfile_copies_every_package_and_builds_static_for_production():
    copied = set()
    for line in dockerfile("COPY"):
        sources = [s for s in line.split()[:-1] if not s.startswith("--")]
        copied |= {s.removeprefix("./").rstrip("/") or "." for s in sources}
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    needed = packages | {"manage.py", "templates", "static", "locale"}
    assert "." in copied or needed <= copied, f"not copied: {needed - copied}"
    step = next(s for r in dockerfile("RUN") for s in r.split("&&") if "collects" in s)
    debug_on = re.search(r"DEBUG=(1|true|yes|on)\b", step, flags=re.IGNORECASE)
    assert not debug_on, "collectstatic needs DEBUG off to write staticfiles.json"


@pytest.mark.django_db
def test_web_healthcheck_gets_a_200_past_the_https_redirect(client, settings):
    """Without DEBUG every http request is redirected to https; the
    healthcheck must say https the way the compose file tells Django to
    trust (SECURE_PROXY_SSL_HEADER), or the container never turns healthy."""
    check = healthcheck("web")
    url = urlparse(re.search(r"http://[^'\"\s]+", check).group())
    sent = dict(re.findall(r"'([\w-]+)':\s*'([^']*)'", check))
    name, _, value = re.sub(
        r"\$\{\w+:-(.*)\}", r"\1", env("web")["SECURE_PROXY_SSL_HEADER"]
    ).partition(",")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = (name, value)
    headers = {key.lower().replace("-", "_"): val for key, val in sent.items()}
    assert client.get(url.path, headers=headers).status_code == 200
    assert client.get(url.path).status_code == 301, "plain http must be redirected"
