"""The standalone verifier (tools/verify_licence.py), run as appliances run it: a separate
process, with files the API produced."""

from __future__ import annotations

import ast
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from licensing.services.signing import signing_key_rotate
from licensing.signing import canonical_bytes
from tests.licensing.factories_activation import activate_licence

VERIFIER = Path(settings.BASE_DIR) / "tools" / "verify_licence.py"
PUBLIC_KEY = "/api/v1/licensing/public-key"

pytestmark = pytest.mark.django_db


def _run(*args: str | Path) -> tuple[int, str]:
    # A bare environment: no settings module, nothing of the portal on the path.
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONNOUSERSITE": "1"}
    result = subprocess.run(
        [sys.executable, "-I", str(VERIFIER), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.stderr == "", result.stderr
    return result.returncode, result.stdout.strip()


def _activate(key: str, fingerprint: str = "machine-0001") -> dict:
    response = APIClient().post(
        "/api/v1/activations", {"key": key, "fingerprint": fingerprint}, format="json"
    )
    assert response.status_code in {200, 201}, response.content
    return response.json()


def _write(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else json.dumps(content, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def _published(tmp_path: Path) -> tuple[Path, dict]:
    body = APIClient().get(PUBLIC_KEY).json()
    return _write(tmp_path, "published.json", body), body


def _pem(tmp_path: Path, body: dict, kid: str) -> Path:
    [entry] = [k for k in body["keys"] if k["kid"] == kid]
    return _write(tmp_path, f"{kid}.pem", entry["pem"])


def test_a_file_from_the_api_verifies_offline_and_a_tampered_one_fails(tmp_path):
    # Given a licence file the API produced, saved as the appliance saves it
    licence, key = activate_licence(customer_name="Müller Systemhaus GmbH")
    licence_file = _activate(key)
    path = _write(tmp_path, "licence.json", licence_file)
    _, body = _published(tmp_path)
    pem = _pem(tmp_path, body, licence_file["kid"])

    # When the verifier checks it with the published PEM, it passes
    code, out = _run(path, "--public-key", pem, "--fingerprint", "machine-0001")
    assert code == 0, out
    assert out.startswith(f"OK: licence {licence.pk} for Müller Systemhaus GmbH")
    assert f"key {licence_file['kid']}" in out

    # When a byte of the payload changes (more hosts), it fails
    tampered = json.loads(json.dumps(licence_file))
    tampered["payload"]["quantity"] = 300
    code, out = _run(_write(tmp_path, "tampered.json", tampered), "--public-key", pem)
    assert (code, out) == (1, "FAILED: the signature does not match: the file was altered")

    # ... as when the term is stretched, or the signature replaced
    stretched = json.loads(json.dumps(licence_file))
    stretched["payload"]["term"]["ends_on"] = "2099-12-31"
    assert _run(_write(tmp_path, "stretched.json", stretched), "--public-key", pem)[0] == 1
    forged = {**licence_file, "signature": "AAAA" + licence_file["signature"][4:]}
    assert _run(_write(tmp_path, "forged.json", forged), "--public-key", pem)[0] == 1


def test_the_verifier_checks_the_machine_and_the_term(tmp_path):
    licence, key = activate_licence()
    path = _write(tmp_path, "licence.json", _activate(key))
    published, _ = _published(tmp_path)

    code, out = _run(path, "--public-key", published, "--fingerprint", "another-machine")
    assert (code, out) == (1, "FAILED: the file was issued for another machine")

    after = licence.ends_on + datetime.timedelta(days=1)
    code, out = _run(path, "--public-key", published, "--today", after.isoformat())
    assert (code, out) == (1, f"FAILED: the licence expired on {licence.ends_on.isoformat()}")
    assert _run(path, "--public-key", published, "--today", licence.ends_on.isoformat())[0] == 0

    before = licence.starts_on - datetime.timedelta(days=1)
    code, out = _run(path, "--public-key", published, "--today", before.isoformat())
    assert (code, out) == (1, f"FAILED: the term starts on {licence.starts_on.isoformat()}")


def test_a_file_signed_before_a_rotation_still_verifies_with_the_published_old_key(tmp_path):
    # Given a file signed with the first key, then a rotation
    _, key = activate_licence()
    old_file = _activate(key)
    old_path = _write(tmp_path, "old.json", old_file)
    new_key = signing_key_rotate(actor=None)
    assert new_key.kid != old_file["kid"]
    published, body = _published(tmp_path)

    # Then the old file verifies with the published keys (the verifier picks its kid) and
    # with the retired key's PEM, but not with the new key
    assert _run(old_path, "--public-key", published)[0] == 0
    assert _run(old_path, "--public-key", _pem(tmp_path, body, old_file["kid"]))[0] == 0
    code, out = _run(old_path, "--public-key", _pem(tmp_path, body, new_key.kid))
    assert (code, out) == (
        1,
        f"FAILED: signed with key {old_file['kid']}, not with the given key {new_key.kid}",
    )

    # ... and the machine's next file is signed with the new key
    new_file = _activate(key)
    assert new_file["kid"] == new_key.kid
    assert _run(_write(tmp_path, "new.json", new_file), "--public-key", published)[0] == 0


def test_unreadable_input_fails_clearly(tmp_path):
    published = _write(tmp_path, "published.json", {"current_kid": "x", "keys": []})
    not_json = _write(tmp_path, "licence.json", "not json")
    code, out = _run(not_json, "--public-key", published)
    assert code == 1
    assert out.startswith("FAILED: cannot read the files")

    other = _write(tmp_path, "other.json", {"format": "something else"})
    assert _run(other, "--public-key", published) == (1, "FAILED: not a licence-file/1 file")
    assert _run(tmp_path / "missing.json", "--public-key", published)[0] == 1


def test_the_verifier_needs_only_the_standard_library_and_cryptography():
    tree = ast.parse(VERIFIER.read_text(encoding="utf-8"))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported - set(sys.stdlib_module_names) == {"cryptography"}


def test_the_verifier_rebuilds_the_signed_bytes_as_the_portal_does():
    namespace: dict = {"__name__": "verifier"}
    exec(compile(VERIFIER.read_text(encoding="utf-8"), str(VERIFIER), "exec"), namespace)  # noqa: S102
    payload = {"z": [1, "ß"], "a": {"name": "株式会社", "n": None, "ok": True}}
    assert namespace["canonical_bytes"](payload) == canonical_bytes(payload)
