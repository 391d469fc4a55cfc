"""A small OpenID Connect provider for tests, over real HTTP on 127.0.0.1.

What it is: the authorization-code flow as OpenID Connect Core 1.0 and RFC 7636 (PKCE) describe
it, with discovery, an RS256 key published as a JWKS, client_secret_post at the token endpoint,
single-use codes and Bearer access tokens at the userinfo endpoint. Whoever is in `person` is
"signed in" at /authorize at once, with no login form. Like Microsoft Entra ID, it puts the
`groups` claim in the ID token only, not in the userinfo answer.

What it isn't: a provider to run anywhere but a test. One client, no consent, no sessions of its
own, no refresh tokens, no logout, no other grant or response types, no TLS.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

# The claims each scope asks for (OpenID Connect Core 5.4), of those this provider knows.
SCOPE_CLAIMS = {
    "email": ("email",),
    "profile": ("given_name", "family_name", "preferred_username"),
}


class OIDCProvider:
    """`with OIDCProvider(client_id, secret, [redirect_uri]) as provider:` then set
    `provider.person` to the claims of whoever signs in next (sub, email, names, groups)."""

    def __init__(self, client_id: str, client_secret: str, redirect_uris: list[str]):
        self.client_id, self.client_secret = client_id, client_secret
        self.audience = client_id  # whom ID tokens say they are for; a test may change it
        self.redirect_uris = set(redirect_uris)
        self.person: dict | None = None
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self.codes: dict[str, dict] = {}  # code -> what /authorize was asked, and for whom
        self.access_tokens: dict[str, dict] = {}  # token -> the person's claims
        self.server = HTTPServer(("127.0.0.1", 0), _Handler)
        self.server.provider = self
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                *SCOPE_CLAIMS["email"],
                *SCOPE_CLAIMS["profile"],
                "groups",
            ],
        }

    def jwks(self) -> dict:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def authorize(self, q: dict) -> tuple[int, dict]:
        # A client or redirect_uri we do not know must not be redirected to (RFC 6749 4.1.2.1).
        if q.get("client_id") != self.client_id or q.get("redirect_uri") not in self.redirect_uris:
            return 400, {"error": "invalid_request", "error_description": "unknown client"}
        answer = {"state": q["state"]} if "state" in q else {}
        if q.get("response_type") != "code":
            answer["error"] = "unsupported_response_type"
        elif "openid" not in q.get("scope", "").split():
            answer["error"] = "invalid_scope"
        elif q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            answer["error"] = "invalid_request"  # PKCE is required, and only S256
        elif self.person is None:
            answer["error"] = "login_required"
        else:
            answer["code"] = code = secrets.token_urlsafe(32)
            self.codes[code] = {**q, "person": dict(self.person), "expires": time.time() + 60}
        return 302, {"Location": f"{q['redirect_uri']}?{urlencode(answer)}"}

    def token(self, form: dict) -> tuple[int, dict]:
        if form.get("client_id") != self.client_id or not secrets.compare_digest(
            form.get("client_secret", "").encode(), self.client_secret.encode()
        ):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        grant = self.codes.pop(form.get("code", ""), None)  # single use, even when refused
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if (
            grant is None
            or grant["expires"] < time.time()
            or grant["redirect_uri"] != form.get("redirect_uri")
            or not secrets.compare_digest(challenge, grant["code_challenge"].encode())
        ):
            return 400, {"error": "invalid_grant"}
        person, scopes = grant["person"], grant["scope"].split()
        claims = {"sub": person["sub"], "groups": person.get("groups", [])}
        for scope in scopes:
            claims.update({c: person[c] for c in SCOPE_CLAIMS.get(scope, ()) if c in person})
        now = int(time.time())
        id_token = {"iss": self.issuer, "aud": self.audience, "iat": now, "exp": now + 300}
        if "nonce" in grant:
            id_token["nonce"] = grant["nonce"]
        access_token = secrets.token_urlsafe(32)
        self.access_tokens[access_token] = {k: v for k, v in claims.items() if k != "groups"}
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": jwt.encode(
                {**claims, **id_token}, self.key, algorithm="RS256", headers={"kid": self.kid}
            ),
        }

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or token not in self.access_tokens:
            return 401, {"error": "invalid_token"}
        return 200, self.access_tokens[token]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        provider, url = self.server.provider, urlsplit(self.path)
        if url.path == "/.well-known/openid-configuration":
            self._answer(200, provider.discovery())
        elif url.path == "/jwks":
            self._answer(200, provider.jwks())
        elif url.path == "/authorize":
            self._answer(*provider.authorize(dict(parse_qsl(url.query))))
        elif url.path == "/userinfo":
            self._answer(*provider.userinfo(self.headers.get("Authorization", "")))
        else:
            self._answer(404, {"error": "not_found"})

    def do_POST(self):
        if self.path != "/token":
            return self._answer(404, {"error": "not_found"})
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self._answer(*self.server.provider.token(dict(parse_qsl(body))))

    def _answer(self, status: int, content: dict):
        self.send_response(status)
        if status == 302:
            self.send_header("Location", content["Location"])
            body = b""
        else:
            body = json.dumps(content).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
        if status == 401 and self.path.startswith("/userinfo"):
            self.send_header("WWW-Authenticate", 'Bearer error="invalid_token"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass  # quiet: pytest shows what matters
