"""Entity linking (graph.linking): QID first, then normalised labels within a kind."""

from __future__ import annotations

from graph.linking import Entry, family, link, normalise_label, qid_of

ID = "https://w3id.org/casegraph/id/"


def test_normalise_label() -> None:
    assert normalise_label("The Sinaloa Cartel") == "sinaloa cartel"
    assert normalise_label("  México ") == "mexico"
    assert normalise_label("Andrés Manuel López-Obrador") == "andres manuel lopez obrador"
    assert normalise_label("U.S.  Drug  Enforcement") == "u s drug enforcement"
    assert normalise_label("The") == "the"


def test_family_and_qid() -> None:
    assert family("Person") == "agent"
    assert family("https://w3id.org/casegraph/ontology#Country") == "place"
    assert family("event") == "event"
    assert qid_of("http://www.wikidata.org/entity/Q96") == "Q96"
    assert qid_of("wd:Q30") == "Q30"
    assert qid_of("not a qid") is None


def test_qid_match_first() -> None:
    existing = [
        Entry(ID + "place/mexico", "Country", ("Mexico",), ("Q96",)),
        Entry(ID + "place/new-mexico", "Region", ("New Mexico",)),
    ]
    candidates = [Entry(ID + "place/wd-q96", "place", ("Estados Unidos Mexicanos",), ("Q96",))]
    result = link(candidates, existing)
    assert [(x.source, x.target, x.evidence) for x in result.links] == [
        (ID + "place/wd-q96", ID + "place/mexico", "wikidata:Q96")
    ]
    assert result.triples() == [
        (ID + "place/wd-q96", "http://www.w3.org/2002/07/owl#sameAs", ID + "place/mexico")
    ]
    assert result.triples("exactMatch")[0][1] == "http://www.w3.org/2004/02/skos/core#exactMatch"


def test_label_match_within_kind_only() -> None:
    existing = [
        Entry(ID + "place/mexico", "Country", ("Mexico", "México")),
        Entry(ID + "agent/mexico-national-team", "Organization", ("Mexico",)),
        Entry(ID + "agent/sinaloa-cartel", "CriminalOrganization", ("Sinaloa Cartel",)),
    ]
    candidates = [
        Entry(ID + "place/ucdp-mexico", "place", ("MÉXICO",)),
        Entry(ID + "agent/ucdp-actor-90101", "ArmedGroup", ("The Sinaloa cartel",)),
        Entry(ID + "event/x", "event", ("Mexico",)),
    ]
    result = link(candidates, existing)
    got = {(x.source, x.target, x.evidence) for x in result.links}
    assert got == {
        (ID + "place/ucdp-mexico", ID + "place/mexico", "label:mexico"),
        (ID + "agent/ucdp-actor-90101", ID + "agent/sinaloa-cartel", "label:sinaloa cartel"),
    }
    assert result.unlinked == (ID + "event/x",)


def test_alias_match_and_ambiguity() -> None:
    existing = [
        Entry(ID + "agent/dea", "GovernmentAgency", ("Drug Enforcement Administration", "DEA")),
        Entry(ID + "agent/cjng", "CriminalOrganization", ("CJNG", "Jalisco Cartel")),
        Entry(ID + "agent/jalisco-cartel-old", "CriminalOrganization", ("Jalisco Cartel",)),
    ]
    candidates = [
        Entry(ID + "agent/wd-q622899", "agent", ("Drug Enforcement Administration",)),
        Entry(ID + "agent/acled-jalisco-cartel", "agent", ("Jalisco cartel",)),
    ]
    result = link(candidates, existing)
    assert [(x.target, x.evidence) for x in result.links] == [
        (ID + "agent/dea", "label:drug enforcement administration")
    ]
    (ambiguous,) = result.ambiguous
    assert ambiguous.iri == ID + "agent/acled-jalisco-cartel"
    assert set(ambiguous.candidates) == {ID + "agent/cjng", ID + "agent/jalisco-cartel-old"}


def test_conflicting_qids_block_label_match_and_self_is_ignored() -> None:
    existing = [
        Entry(ID + "place/georgia-country", "Country", ("Georgia",), ("Q230",)),
        Entry(ID + "place/wd-q1428", "Region", ("Georgia",), ("Q1428",)),
    ]
    candidates = [Entry(ID + "place/wd-q1428", "Region", ("Georgia",), ("Q1428",))]
    result = link(candidates, existing)
    assert not result.links
    assert not result.ambiguous
    assert result.unlinked == (ID + "place/wd-q1428",)


def test_several_qid_matches_are_ambiguous() -> None:
    existing = [
        Entry(ID + "place/us", "Country", ("USA",), ("Q30",)),
        Entry(ID + "place/united-states", "Country", ("United States",), ("Q30",)),
    ]
    result = link([Entry(ID + "place/wd-q30", "place", (), ("Q30",))], existing)
    assert not result.links
    assert result.ambiguous[0].evidence == "wikidata:Q30"
