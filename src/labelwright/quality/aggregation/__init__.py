"""Consensus: suggested final labels from several annotators (origin `consensus`)."""

from labelwright.quality.aggregation.consensus import Consensus, consensus_results
from labelwright.quality.aggregation.dawid_skene import DawidSkeneAggregate, dawid_skene
from labelwright.quality.aggregation.majority import (
    UNLABELED,
    Aggregate,
    majority_vote,
    weighted_majority_vote,
)
from labelwright.quality.aggregation.regions import FusedRegion, fuse_regions
from labelwright.quality.aggregation.registry import (
    DAWID_SKENE,
    MAJORITY,
    WEIGHTED_MAJORITY,
    Aggregator,
    AggregatorRegistry,
)
from labelwright.quality.aggregation.spans import vote_spans

AGGREGATORS = AggregatorRegistry()
"""Every categorical aggregator by `name@version`."""
AGGREGATORS.register("majority@1", MAJORITY)
AGGREGATORS.register("weighted-majority@1", WEIGHTED_MAJORITY)
AGGREGATORS.register("dawid-skene@1", DAWID_SKENE)

__all__ = [
    "AGGREGATORS",
    "UNLABELED",
    "Aggregate",
    "Aggregator",
    "AggregatorRegistry",
    "Consensus",
    "DawidSkeneAggregate",
    "FusedRegion",
    "consensus_results",
    "dawid_skene",
    "fuse_regions",
    "majority_vote",
    "vote_spans",
    "weighted_majority_vote",
]
