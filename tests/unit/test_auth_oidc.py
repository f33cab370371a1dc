"""A city's own OIDC issuer, by URL: discovery and the key set fetched over TCP from a provider the
test serves on a loopback port, cached, and fetched again when a token names a key it does not know."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shared.auth import AUDIENCE, AuthUnavailable, InvalidToken, OidcIssuer, TokenVerifier
from shared.auth.keys import public_pem
from tests.builders.tokens import IdentityProvider, forged, signing_key

DISCOVERY = "/realms/yancheng/.well-known/openid-configuration"
JWKS = "/realms/yancheng/jwks"


class Ticker:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def provider() -> Iterator[IdentityProvider]:
    with IdentityProvider().serving() as serving:
        yield serving


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


def oidc(
    provider: IdentityProvider, http: httpx.AsyncClient, ticker: Ticker, **options: object
) -> OidcIssuer:
    return OidcIssuer(
        provider.url,
        audience=AUDIENCE,
        http=http,
        monotonic=ticker,
        min_refetch_seconds=30,
        max_age_seconds=3600,
        **options,  # type: ignore[arg-type]
    )


def verifier(issuer: OidcIssuer, *, now: datetime | None = None) -> TokenVerifier:
    return TokenVerifier(
        [issuer], leeway_seconds=5, clock=(lambda: now) if now else (lambda: datetime.now(UTC))
    )


async def test_a_token_of_the_provider_is_accepted_after_discovery_and_one_key_set_fetch(
    provider, http, ticker
):
    check = verifier(oidc(provider, http, ticker))
    verified = await check.verify(provider.token("sv-yancheng"))
    assert (verified.issuer, verified.person_id) == (provider.url, "sv-yancheng")
    await check.verify(provider.token("op-tinghu"))
    assert provider.requests == {DISCOVERY: 1, JWKS: 1}, "the key set is cached"


async def test_the_key_set_is_fetched_again_once_it_is_older_than_its_maximum_age(provider, http, ticker):
    check = verifier(oidc(provider, http, ticker))
    await check.verify(provider.token("sv-yancheng"))
    ticker.now += 3601
    await check.verify(provider.token("sv-yancheng"))
    assert provider.requests == {DISCOVERY: 1, JWKS: 2}


async def test_a_token_signed_with_a_new_key_makes_the_key_set_be_fetched_again(provider, http, ticker):
    check = verifier(oidc(provider, http, ticker))
    await check.verify(provider.token("sv-yancheng"))
    ticker.now += 31
    provider.keys = [signing_key("oidc-2"), *provider.keys]  # the provider rotates its keys
    verified = await check.verify(provider.token("sv-yancheng", key=signing_key("oidc-2")))
    assert verified.person_id == "sv-yancheng"
    assert provider.requests[JWKS] == 2


async def test_unknown_key_ids_do_not_make_the_key_set_be_fetched_more_than_once_per_interval(
    provider, http, ticker
):
    check = verifier(oidc(provider, http, ticker))
    await check.verify(provider.token("sv-yancheng"))
    ticker.now += 31
    for _ in range(5):
        with pytest.raises(InvalidToken, match=r"not in .* key set"):
            await check.verify(provider.token("sv-yancheng", key=signing_key("made-up")))
    assert provider.requests[JWKS] == 2, "one refetch for the first unknown key id, none for the next four"


async def test_a_token_of_the_provider_for_another_audience_is_refused(provider, http, ticker):
    with pytest.raises(InvalidToken, match="not meant for 'gridloop'"):
        await verifier(oidc(provider, http, ticker)).verify(provider.token("sv-yancheng", audience="account"))


async def test_the_audience_gridloop_is_known_by_at_the_provider_is_configurable(provider, http, ticker):
    issuer = OidcIssuer(provider.url, audience="gridloop-console", http=http, monotonic=ticker)
    token = provider.token("sv-yancheng", audience=["account", "gridloop-console"])
    assert (await verifier(issuer).verify(token)).person_id == "sv-yancheng"


async def test_a_token_from_another_issuer_is_refused_before_any_fetch(provider, http, ticker):
    with pytest.raises(InvalidToken, match="is not one we accept"):
        await verifier(oidc(provider, http, ticker)).verify(
            provider.token("sv-yancheng", issuer="http://127.0.0.1:1/realms/other")
        )
    assert not provider.requests


async def test_a_token_with_the_issuers_name_but_another_key_is_refused(provider, http, ticker):
    impostor = provider.token(
        "sv-yancheng", key=signing_key("impostor"), kid=provider.jwks()["keys"][0]["kid"]
    )
    with pytest.raises(InvalidToken, match="Signature verification failed"):
        await verifier(oidc(provider, http, ticker)).verify(impostor)


@pytest.mark.parametrize("algorithm", ["none", "HS256"])
async def test_unsigned_and_hmac_tokens_in_the_providers_name_are_refused(provider, http, ticker, algorithm):
    claims = {"iss": provider.url, "aud": AUDIENCE, "sub": "sv-yancheng", "exp": 4_000_000_000}
    token = forged(algorithm, claims, secret=public_pem(provider.keys[0].public_key()))
    with pytest.raises(InvalidToken, match="must be signed with RS256"):
        await verifier(oidc(provider, http, ticker)).verify(token)


async def test_clock_skew_with_the_provider_is_tolerated_up_to_five_seconds(provider, http, ticker):
    now = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    check = verifier(oidc(provider, http, ticker), now=now)
    # The provider's clock runs 4 seconds ahead: its token is issued "in the future".
    assert (await check.verify(provider.token("sv-yancheng", now=now + timedelta(seconds=4)))).person_id
    with pytest.raises(InvalidToken, match="issued in the future"):
        await check.verify(provider.token("sv-yancheng", now=now + timedelta(seconds=8)))
    lapsed = now - timedelta(minutes=5, seconds=3)  # expired 3 s ago: within the leeway
    assert (await check.verify(provider.token("sv-yancheng", now=lapsed))).person_id
    with pytest.raises(InvalidToken, match="expired"):
        await check.verify(provider.token("sv-yancheng", now=now - timedelta(minutes=5, seconds=6)))


async def test_people_can_be_named_by_another_claim_than_sub(provider, http, ticker):
    issuer = oidc(provider, http, ticker, person_claim="preferred_username")
    token = provider.token("f81d4fae-7dec-11d0-a765-00a0c91e6bf6", preferred_username="sv-yancheng")
    assert (await verifier(issuer).verify(token)).person_id == "sv-yancheng"
    with pytest.raises(InvalidToken, match="preferred_username"):
        await verifier(issuer).verify(provider.token("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"))


async def test_keys_that_are_not_rs256_signing_keys_are_left_out_of_the_key_set(provider, http, ticker):
    kid = provider.jwks()["keys"][0]["kid"]
    provider.extra_jwks = [
        {"kty": "EC", "kid": "ec-1", "crv": "P-256", "x": "AA", "y": "AA"},
        {**provider.jwks()["keys"][0], "kid": "enc-1", "use": "enc"},
        {**provider.jwks()["keys"][0], "kid": "ps-1", "alg": "PS256"},
        {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
    ]
    check = verifier(oidc(provider, http, ticker))
    assert (await check.verify(provider.token("sv-yancheng", kid=kid))).person_id == "sv-yancheng"
    for other in ("enc-1", "ps-1"):
        with pytest.raises(InvalidToken, match=r"not in .* key set"):
            await check.verify(provider.token("sv-yancheng", kid=other))


async def test_a_provider_that_cannot_be_reached_makes_its_tokens_unverifiable_for_now(
    provider, http, ticker
):
    provider.up = False
    check = verifier(oidc(provider, http, ticker))
    with pytest.raises(AuthUnavailable, match="cannot fetch"):
        await check.verify(provider.token("sv-yancheng"))
    with pytest.raises(AuthUnavailable):
        await check.verify(provider.token("sv-yancheng"))
    assert provider.requests[DISCOVERY] == 1, "a provider that is down is not asked again at once"
    provider.up = True
    ticker.now += 31
    assert (await check.verify(provider.token("sv-yancheng"))).person_id == "sv-yancheng"


async def test_keys_already_fetched_keep_working_while_the_provider_is_down(provider, http, ticker):
    check = verifier(oidc(provider, http, ticker))
    await check.verify(provider.token("sv-yancheng"))
    provider.up = False
    ticker.now += 7200  # past the key set's maximum age
    assert (await check.verify(provider.token("sv-yancheng"))).person_id == "sv-yancheng"
    assert provider.requests[JWKS] == 2, "it tried to refresh the stale key set"


async def test_a_discovery_document_naming_another_issuer_is_not_trusted(provider, http, ticker):
    provider.issuer_in_discovery = "https://idp.example.org/realms/yancheng"
    with pytest.raises(AuthUnavailable, match="names issuer"):
        await verifier(oidc(provider, http, ticker)).verify(provider.token("sv-yancheng"))
    assert provider.requests[JWKS] == 0


async def test_an_issuer_url_with_a_trailing_slash_is_the_same_issuer(provider, http, ticker):
    issuer = OidcIssuer(provider.url + "/", audience=AUDIENCE, http=http, monotonic=ticker)
    assert (await verifier(issuer).verify(provider.token("sv-yancheng"))).person_id == "sv-yancheng"
