"""The docs describe the code that is there."""

from negsim.cli import parameter_fields, parameter_table
from tests.conftest import ROOT


def test_the_model_docs_list_every_parameter_as_the_schema_defines_it():
    text = (ROOT / "docs" / "MODEL.md").read_text()
    table = text.split("<!-- parameters:begin -->\n")[1].split("<!-- parameters:end -->")[0]
    assert table.strip() == parameter_table().strip(), (
        "run: negsim params, and paste into docs/MODEL.md"
    )
    for path, _ in parameter_fields():
        assert f"`{path}`" in table


def test_the_validation_docs_state_every_distribution_of_the_generator():
    from negsim.generator import distributions_table

    text = (ROOT / "docs" / "VALIDATION.md").read_text()
    table = text.split("<!-- generator:begin -->\n")[1].split("<!-- generator:end -->")[0]
    assert table.strip() == distributions_table().strip(), (
        "paste negsim.generator.distributions_table() into docs/VALIDATION.md"
    )


def test_the_readmes_set_example_changes_what_the_run_prints():
    import re
    import subprocess
    import sys

    text = (ROOT / "README.md").read_text()
    example = re.search(r"negsim run (\S+) --seed (\d+) --ticks (\d+) \\\n\s+--set (\S+)", text)
    assert example, "the README's --set example moved: update this test"
    cast, seed, ticks, assignment = example.groups()
    base = ["-m", "negsim.cli", "run", cast, "--seed", seed, "--ticks", ticks]

    def outcome(*extra: str) -> str:
        done = subprocess.run(
            [sys.executable, *base, *extra], capture_output=True, text=True, cwd=ROOT, check=True
        )
        return done.stdout.splitlines()[1]  # "outcome: ... at week N"

    assert outcome() != outcome("--set", assignment)


def test_the_readmes_fan_chart_example_uses_a_spec_that_collects_series():
    import re

    from negsim.cast import read_toml

    text = (ROOT / "README.md").read_text()
    for name in re.findall(r'fan_chart\("results/(\w+)"', text):
        spec = read_toml(ROOT / "experiments" / f"{name}.toml")
        assert spec["experiment"].get("collect_series"), f"{name} collects no series"
