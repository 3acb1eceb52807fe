"""The settings' own checks: one value by a setting's rule (what the APIs share with the command line),
and the POLICYQA_* variables that are no setting."""

from __future__ import annotations

import pytest

from policyqa.settings import Settings, SettingsError
from policyqa.settings.sources import OTHER_VARIABLES, unknown_variables


@pytest.mark.parametrize(("name", "value", "message"), [
    ("k", 0, "k = 0: must be an integer from 1 to 1000"),
    ("k", 1001, "k = 1001: must be an integer from 1 to 1000"),
    ("mode", "foo", "mode = 'foo': must be dense, bm25 or hybrid"),
    ("backend", "gpt", "backend = 'gpt': must be extractive or openai"),
])
def test_one_value_is_checked_by_the_rule_the_settings_load_with(name, value, message) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.check(name, value)
    assert str(refused.value) == message
    with pytest.raises(SettingsError, match=f"{name} \\(POLICYQA_{name.upper()}\\)"):
        Settings.load(**{name: value})  # the command line's flags meet the same rule


def test_a_value_the_setting_takes_is_returned_as_it_takes_it() -> None:
    assert Settings.check("k", "7") == 7 and Settings.check("mode", "bm25") == "bm25"


def test_unknown_variables_are_named_with_the_closest_setting() -> None:
    environ = {"POLICYQA_MDOE": "bm25", "POLICYQA_K": "3", "policyqa_mode": "dense", "PATH": "/bin",
               **dict.fromkeys(OTHER_VARIABLES, "x")}
    assert unknown_variables(environ, Settings.model_fields) == [
        "policyqa: warning: POLICYQA_MDOE is not a setting and is ignored (did you mean POLICYQA_MODE?)"]
    # nothing like it: no suggestion (an unrelated one had been made, POLICYQA_K)
    assert unknown_variables({"POLICYQA_FOO": "1"}, Settings.model_fields) == [
        "policyqa: warning: POLICYQA_FOO is not a setting and is ignored"]


@pytest.mark.parametrize(("name", "value"), [("k", True), ("k", False), ("mode", True)])
def test_a_json_boolean_is_no_value_of_a_number_or_a_name(name, value) -> None:
    """The APIs check a request's k through Settings.check: {"k": true} had been taken as k 1."""
    with pytest.raises(SettingsError, match=f"^{name} = {value!r}: must be"):
        Settings.check(name, value)
