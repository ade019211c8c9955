"""Build hook: compile the translation catalogs whenever the project is built or installed.

The compiled ``translations/*/LC_MESSAGES/messages.mo`` files are not committed (they are
build output), yet Flask-Babel needs them at run time: without them the English pages come
out in Vietnamese. ``pip install -e .`` (the documented install) and ``pip install .`` both
run the ``build`` command, so a ``build`` sub-command compiles every ``messages.po`` next
to itself, in the project folder the app reads its translations from. Everything else about
the package is in pyproject.toml.
"""

import sys
from pathlib import Path

from setuptools import Command, setup
from setuptools.command.build import build

HERE = Path(__file__).resolve().parent
CATALOGS = "translations/*/LC_MESSAGES/messages.po"


def compile_catalogs(root: Path = HERE) -> list[Path]:
    """Compile each messages.po into messages.mo beside it; the written files."""
    try:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
    except ImportError as exc:  # a build environment always has it (pyproject.toml)
        # SystemExit, not an exception: setuptools downgrades errors in some build steps
        # to warnings, and an install without catalogues must not look like a success.
        raise SystemExit(
            "Babel is needed to compile the translations: pip install Babel "
            "(it is in pyproject.toml's build requirements)."
        ) from exc
    written = []
    for po_path in sorted(root.glob(CATALOGS)):
        locale = po_path.parent.parent.name
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        if catalog.fuzzy:  # as `pybabel compile`: a catalogue marked fuzzy is not used
            print(f"{po_path} is marked fuzzy: skipped", file=sys.stderr)
            continue
        for message, problems in catalog.check():
            for problem in problems:
                print(f"error: {po_path}:{message.lineno}: {problem}", file=sys.stderr)
        mo_path = po_path.with_suffix(".mo")
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)  # fuzzy entries left out, as `pybabel compile` does
        tmp.replace(mo_path)
        written.append(mo_path)
    return written


class build_catalogs(Command):  # noqa: N801  (setuptools command names are lower case)
    """Compile the gettext catalogues (translations/*/LC_MESSAGES/messages.po)."""

    description = __doc__
    user_options: list = []
    editable_mode = False

    def initialize_options(self) -> None:
        pass

    def finalize_options(self) -> None:
        pass

    def run(self) -> None:
        for path in compile_catalogs():
            print(f"compiled {path.relative_to(HERE)}")

    # The catalogues stay in the project folder (an editable install reads them there):
    # nothing goes into the wheel.
    def get_outputs(self) -> list[str]:
        return []

    def get_output_mapping(self) -> dict[str, str]:
        return {}


class build_with_catalogs(build):  # noqa: N801
    sub_commands = [("build_catalogs", None), *build.sub_commands]


setup(cmdclass={"build": build_with_catalogs, "build_catalogs": build_catalogs})
