"""The docs describe the code that is there."""

from negsim.cast import Parameters
from negsim.cli import parameter_table
from tests.conftest import ROOT


def test_the_model_docs_list_every_parameter_as_the_schema_defines_it():
    text = (ROOT / "docs" / "MODEL.md").read_text()
    table = text.split("<!-- parameters:begin -->\n")[1].split("<!-- parameters:end -->")[0]
    assert table.strip() == parameter_table().strip(), (
        "run: negsim params, and paste into docs/MODEL.md"
    )
    for section, info in Parameters.model_fields.items():
        for name in info.annotation.model_fields:
            assert f"`{section}.{name}`" in table
