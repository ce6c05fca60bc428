"""The mention finders' word lists are data files shipped inside the package."""

from importlib.resources import files

from taikong.enrich.mentions import lexicon


def test_every_lexicon_file_loads():
    names = {p.name for p in (files("taikong.enrich.mentions") / "lexicons").iterdir()}
    assert {"function_words.txt", "country_aliases.json", "head_nouns.json"} <= names
    for name in sorted(names):
        stem, ext = name.rsplit(".", 1)
        entries = lexicon.words(stem) if ext == "txt" else lexicon.table(stem)
        assert entries, name
    # Comments and blank lines are no entries.
    assert "the" in lexicon.words("function_words")
    assert not any(w.startswith("#") or " " in w for w in lexicon.words("sentence_openers"))
    assert lexicon.by_word("head_nouns")["rocket"] == "launch_vehicle"
    assert lexicon.table("country_aliases")["aliases"]["Russia"] == "RUS"
