"""First contact: help(quantumpanarchy) is short, lists the exceptions and runs as written;
dir() of the package and of every public module shows its public names only."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import pydoc
import re
from types import ModuleType

import pytest
import quantumpanarchy
from quantumpanarchy import exceptions

PUBLIC_MODULES = sorted(
    f"quantumpanarchy.{m.name}" for m in pkgutil.iter_modules(quantumpanarchy.__path__) if not m.name.startswith("_")
)


def help_text(thing: object) -> str:
    return pydoc.plain(pydoc.render_doc(thing))


def test_package_help_is_short_and_lists_submodules_and_exceptions() -> None:
    text = help_text(quantumpanarchy)
    assert len(text.splitlines()) < 150, text
    assert ">>> from quantumpanarchy.core import PBitNetwork" in text
    assert ">>> from quantumpanarchy.decision import Annealing" in text
    description = text.split("PACKAGE CONTENTS")[0]
    for name in quantumpanarchy.__all__:
        if inspect.ismodule(getattr(quantumpanarchy, name)):
            assert re.search(rf"\b{name}\b", description), name
    for name in exceptions.__all__:
        cls = getattr(exceptions, name)
        assert f"{name} ({', '.join(b.__name__ for b in cls.__bases__)})" in text
    assert "with_traceback" not in text  # no inherited builtin methods


def test_package_help_examples_run_as_written() -> None:
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    test = parser.get_doctest(quantumpanarchy.__doc__ or "", {}, "quantumpanarchy", None, 0)
    assert len(test.examples) >= 8
    result = runner.run(test)
    assert result.failed == 0 and result.attempted == len(test.examples)


def test_exceptions_stay_importable_from_the_package() -> None:
    for name in exceptions.__all__:
        assert getattr(quantumpanarchy, name) is getattr(exceptions, name)
    assert issubclass(quantumpanarchy.InvalidInputError, ValueError)


def test_package_dir_shows_public_names_only() -> None:
    assert dir(quantumpanarchy) == sorted({*quantumpanarchy.__all__, *exceptions.__all__})


def test_the_public_modules_are_the_expected_ones() -> None:
    names = {m.rsplit(".", 1)[1] for m in PUBLIC_MODULES}
    assert {"core", "decision", "performance", "exceptions", "cli", "risk"} <= names


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_module_dir_shows_its_public_names_only(name: str) -> None:
    module = importlib.import_module(name)
    listed = dir(module)
    assert listed == sorted(module.__all__)
    assert "annotations" not in listed and not any(n.startswith("_") and n != "__version__" for n in listed)
    for attr in listed:
        getattr(module, attr)


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_classes_and_functions_name_their_public_module(name: str) -> None:
    module: ModuleType = importlib.import_module(name)
    for attr in module.__all__:
        value = getattr(module, attr)
        if getattr(exceptions, attr, None) is value:
            continue  # an exception of the one hierarchy, re-exported where it is raised
        if inspect.isclass(value) or inspect.isroutine(value):
            assert value.__module__ == name, f"{name}.{attr} reports {value.__module__}"
