"""Answers to reads kept until the desk changes (provenance.web.readcache): the same answer while nothing changed,
a new one at the first change through provenance, kept apart by person, Accept and parameters."""

from __future__ import annotations

from conftest import DeskApi, Provenance

from provenance.web.readcache import ReadCache

TEXT = {"Accept": "text/plain"}


def cache(api: DeskApi) -> ReadCache:
    kept: ReadCache = api.client.app.state.read_cache
    return kept


def test_a_read_asked_again_is_the_kept_answer_until_the_desk_changes(seeded_api: DeskApi) -> None:
    kept = cache(seeded_api)
    first = seeded_api.get("/api/v1/claims/suntech-diversion")
    again = seeded_api.get("/api/v1/claims/suntech-diversion")
    assert (kept.misses, kept.hits) == (1, 1)
    version = int(first.headers["etag"].strip('"'))
    assert again.json() == first.json() and again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-security-policy"] == first.headers["content-security-policy"]
    changed = seeded_api.request(
        "PATCH",
        "/api/v1/claims/suntech-diversion",
        json={"likelihood": "very unlikely", "reason": "denied"},
        headers={"If-Match": f'"{version}"'},
    )
    assert changed.status_code == 200, changed.text
    after = seeded_api.get("/api/v1/claims/suntech-diversion")
    assert after.headers["etag"] == f'"{version + 1}"' and after.json()["confidence"] != first.json()["confidence"]
    assert (kept.misses, kept.hits) == (2, 1)


def test_answers_are_kept_apart_by_person_accept_and_parameters(seeded_api: DeskApi) -> None:
    kept = cache(seeded_api)
    seeded_api.get("/api/v1/board", who="viewer")
    seeded_api.get("/api/v1/board", who="editor")  # a token's first use is logged: the desk changed
    seeded_api.get("/api/v1/board", who="viewer")
    seeded_api.get("/api/v1/board", who="editor")
    assert kept.hits == 1
    mine = seeded_api.get("/api/v1/board", who="editor", params={"mine": "true"}, headers=TEXT)
    assert mine.text == "No claim matches --assignee 'editor'."
    assert seeded_api.get("/api/v1/board", who="editor", headers=TEXT).text.startswith("12 claims")
    assert kept.hits == 1


def test_notices_are_kept_with_the_answer(seeded_api: DeskApi, seeded: Provenance) -> None:
    asked = {"claim": "suntech-diversion", "limit": 1}
    first = seeded_api.get("/api/v1/history", params=asked)
    again = seeded_api.get("/api/v1/history", params=asked)
    assert cache(seeded_api).hits == 1
    assert first.headers["provenance-notice"] == again.headers["provenance-notice"]
    assert again.headers["provenance-notice"].startswith("the 1 most recent of")


def test_a_server_may_keep_nothing(seeded: Provenance) -> None:
    from conftest import SERVER_SECRET, make_accounts
    from fastapi.testclient import TestClient

    from provenance.web.app import ServerConfig, create_app

    tokens = make_accounts(seeded.url)
    app = create_app(ServerConfig(database_url=seeded.url, secret=SERVER_SECRET, read_cache=0))
    try:
        with TestClient(app) as client:
            for _ in range(2):
                answer = client.get("/api/v1/board", headers={"Authorization": f"Bearer {tokens['viewer']}"})
                assert answer.status_code == 200
        assert (app.state.read_cache.hits, app.state.read_cache.misses) == (0, 0)
    finally:
        app.state.engine.dispose()
