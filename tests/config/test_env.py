import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_db, env_int, env_list


def test_bool_accepts_the_usual_words(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "off")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG", True) is True


def test_a_bad_boolean_fails_loudly_naming_the_variable(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG='maybe' is not a boolean"):
        env_bool("X_FLAG", False)


def test_a_bad_number_fails_loudly(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUM='ten' is not a whole number"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "2")
    with pytest.raises(ImproperlyConfigured, match="at least 5"):
        env_int("X_NUM", 10, minimum=5)


def test_lists_and_database_urls(monkeypatch):
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    monkeypatch.setenv("X_DB", "postgres://u:p@127.0.0.1:5432/complaints")
    assert env_db("X_DB", "sqlite:///x")["ENGINE"] == "django.db.backends.postgresql"
    monkeypatch.setenv("X_DB", "nonsense://what")
    with pytest.raises(ImproperlyConfigured, match="X_DB"):
        env_db("X_DB", "sqlite:///x")


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    from config.env import env_secret

    (tmp_path / "key").write_text("from-the-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "key"))
    assert env_secret("X_SECRET", "default") == "from-the-file"
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="X_SECRET_FILE"):
        env_secret("X_SECRET", "default")
    monkeypatch.delenv("X_SECRET_FILE")
    assert env_secret("X_SECRET", "default") == "default"
