from pathlib import Path

from org.roles import ROLES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_role_table_names_every_role():
    for role in ROLES.values():
        short = role.label.split("（")[0]
        assert short in README, role.label


def test_readme_gives_the_two_commands():
    assert "make demo" in README and "make test" in README
