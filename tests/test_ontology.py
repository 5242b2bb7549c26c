"""The ontology defines exactly the annotation schema's classes and relations, with labels."""

from __future__ import annotations

import pytest

from graph.ontology import POL, entity_classes, relations

CLASSES = [
    "Agency",
    "Facility",
    "Fund",
    "Group",
    "Hospital",
    "Measure",
    "Organization",
    "Policy",
    "Programme",
    "Region",
]
CORE = [
    "basedOn",
    "coOrganizer",
    "issuedBy",
    "jurisdiction",
    "leadUnit",
    "locatedIn",
    "partOf",
    "responsibleUnit",
    "subOrganizationOf",
]
FURTHER = [
    "administers",
    "collaboratesWith",
    "commissionedBy",
    "establishedBy",
    "funds",
    "recognizedBy",
    "targets",
]


def test_classes_are_the_annotation_classes() -> None:
    classes = entity_classes()
    assert sorted(classes) == CLASSES
    for info in classes.values():
        assert info.label_zh != info.name and info.label_en and info.definition


def test_relations_and_their_groups() -> None:
    rels = relations()
    assert sorted(n for n, i in rels.items() if i.group == "core") == CORE
    assert sorted(n for n, i in rels.items() if i.group == "further") == FURTHER


def test_misspelt_term_is_refused() -> None:
    with pytest.raises(AttributeError, match=r"pol:leadunit is not declared in ontology/\*\.ttl"):
        POL.leadunit  # noqa: B018
