"""Walk the whole URL map: everything that is not deliberately public needs a login or a token."""
import json
import re

from tests.conftest import csrf_token

PUBLIC = re.compile(r"^(static|public\.|auth\.(login|logout)$|api\.(create_analysis|get_analysis|read_text)$|"
                    r"compare\.(page|compare)$|compare_api\.create_comparison$)")


def _url(rule) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "0" * 32, rule.rule)


def test_every_non_public_route_requires_admin_login_or_token(app, client):
    token = csrf_token(client, "/")
    checked = []
    for rule in app.url_map.iter_rules():
        if PUBLIC.match(rule.endpoint):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            kwargs = {"data": {"csrf_token": token}} if method == "POST" and not rule.rule.startswith("/api/") else {}
            response = client.open(_url(rule), method=method, **kwargs)
            if rule.endpoint.startswith("rekognition."):  # the Rekognition protocol: SigV4 or nothing
                assert response.status_code == 403, (method, rule.rule)
                assert json.loads(response.data)["__type"] == "MissingAuthenticationTokenException"
            elif rule.rule.startswith("/api/"):
                assert response.status_code == 401, (method, rule.rule)
            else:
                assert response.status_code == 302 and "/login" in response.headers["Location"], (method, rule.rule)
            checked.append((method, rule.rule))
    assert len(checked) >= 10  # admin pages, admin forms, people API


def test_public_allowlist_is_what_we_expect(app):
    public = sorted({r.endpoint for r in app.url_map.iter_rules() if PUBLIC.match(r.endpoint)} - {"static"})
    assert {"public.index", "public.analyse", "public.result", "public.history", "public.media",
            "api.create_analysis", "api.get_analysis", "api.read_text", "public.read_text", "auth.login", "auth.logout",
            "compare.page", "compare.compare", "compare_api.create_comparison"} <= set(public)
    assert not [e for e in public if e.startswith(("admin.", "api.") ) and e not in
                ("api.create_analysis", "api.get_analysis", "api.read_text")]
