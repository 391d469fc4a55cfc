"""The import graph keeps the contracts in pyproject.toml ([tool.importlinter]): apps depend
downwards only, so `reporting` on the others and nothing on `reporting`, and no cycle between
the modules or packages of any app."""

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_graph_keeps_its_contracts(capsys):
    config = str(ROOT / "pyproject.toml")
    assert lint_imports(config_filename=config, no_cache=True, no_logo=True) == 0, (
        capsys.readouterr().out
    )


def test_a_cycle_breaks_the_contracts(tmp_path, monkeypatch, capsys):
    """The check can fail: a copy of two modules that import each other is caught."""
    package = tmp_path / "loop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "one.py").write_text("from loop import two\n")
    (package / "two.py").write_text("def later():\n    from loop import one\n")
    config = tmp_path / "pyproject.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["loop"]\n\n'
        '[[tool.importlinter.contracts]]\nname = "No cycle"\ntype = "acyclic_siblings"\n'
        'ancestors = ["loop"]\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert lint_imports(config_filename=str(config), no_cache=True, no_logo=True) == 1
    assert "loop" in capsys.readouterr().out
