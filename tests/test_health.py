"""`/healthz` tells a load balancer whether this process can reach its database and Redis."""

from app.local_redis import free_port


def test_healthz_is_ok_when_database_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_is_503_when_redis_is_down(make_app):
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["redis"].startswith("error")
    assert response.json["database"] == "ok"


def test_healthz_is_503_when_the_database_is_unreachable(make_app):
    app = make_app(
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://x@127.0.0.1:{free_port()}/x?connect_timeout=2"
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"].startswith("error")
    assert response.json["redis"] == "ok"
