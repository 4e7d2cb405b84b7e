import pytest

from reader.errors import LabelsError
from reader.labels import DEFAULT_LABELS, LabelSet


def test_defaults():
    labels = LabelSet()
    assert labels.names == ["salary", "quote", "claim", "opinion"]
    assert [label.key for label in DEFAULT_LABELS] == ["1", "2", "3", "4"]
    assert labels.by_key("2").name == "quote"


def test_missing_file_gives_defaults(tmp_path):
    assert LabelSet.load(tmp_path).names == ["salary", "quote", "claim", "opinion"]


def test_custom_labels(tmp_path):
    (tmp_path / "labels.toml").write_text(
        '[person]\nkey = "5"\ncolor = "red"\n\n[place]\nkey = "6"\ncolor = "#00ff00"\ndescription = "a place"\n',
        encoding="utf-8",
    )
    labels = LabelSet.load(tmp_path)
    assert labels.names == ["person", "place"]
    assert labels.by_key("6").description == "a place"


@pytest.mark.parametrize(
    "source, line, words",
    [
        ('[a]\nkey = "1"\ncolor = "red"\n[b\n', 4, "invalid TOML"),
        ('[a]\nkey = "1"\nkey = "2"\ncolor = "red"\n', 3, "invalid TOML"),
        ('[a]\nkey = "1"\ncolor = "notacolour"\n', 3, "unknown colour"),
        ('[a]\nkey = "1"\ncolor = "red"\n[b]\nkey = "1"\ncolor = "blue"\n', 5, "already used"),
        ('[a]\nkey = "12"\ncolor = "red"\n', 2, "single character"),
        ('[a]\nkey = "q"\ncolor = "red"\n', 2, "reserved"),
    ],
)
def test_bad_labels_file_names_the_line(tmp_path, source, line, words):
    path = tmp_path / "labels.toml"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(LabelsError) as err:
        LabelSet.load(tmp_path)
    assert err.value.line == line
    assert words in str(err.value)
    assert str(path) in str(err.value)
