"""Priority scoring: strategies as data, explainable scores, strategy comparison.

A :class:`Strategy` (dict, JSON or TOML) lists weighted factors; a
:class:`PriorityScorer` compiles it against the host's plug-ins (contact history,
classifiers, portfolios, SLA policy) and is the router's priority hook.
"""

from omnirouter.priority.classifiers import NEGATIVE_KEYWORDS, KeywordClassifier
from omnirouter.priority.compare import (
    RankChange,
    StrategyComparison,
    compare_strategies,
    spearman,
)
from omnirouter.priority.plugins import (
    AgentPortfolios,
    ContactHistory,
    PortfolioLookup,
    RecentContacts,
    TextClassifier,
)
from omnirouter.priority.scorer import Contribution, Explanation, PriorityScorer
from omnirouter.priority.strategy import (
    FACTOR_KINDS,
    ChannelFactor,
    CustomerValueFactor,
    FactorSpec,
    ManualFactor,
    NegativeSentimentFactor,
    PortfolioFactor,
    ReasonFactor,
    RepeatContactsFactor,
    SlaDeadlineFactor,
    Strategy,
    TierFactor,
    WaitingTimeFactor,
)

__all__ = [
    "FACTOR_KINDS",
    "NEGATIVE_KEYWORDS",
    "AgentPortfolios",
    "ChannelFactor",
    "ContactHistory",
    "Contribution",
    "CustomerValueFactor",
    "Explanation",
    "FactorSpec",
    "KeywordClassifier",
    "ManualFactor",
    "NegativeSentimentFactor",
    "PortfolioFactor",
    "PortfolioLookup",
    "PriorityScorer",
    "RankChange",
    "ReasonFactor",
    "RecentContacts",
    "RepeatContactsFactor",
    "SlaDeadlineFactor",
    "Strategy",
    "StrategyComparison",
    "TextClassifier",
    "TierFactor",
    "WaitingTimeFactor",
    "compare_strategies",
    "spearman",
]
