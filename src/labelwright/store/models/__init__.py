"""ORM models of every entity in DESIGN.md section 4."""

from labelwright.store.models.audit import AuditEvent, Job
from labelwright.store.models.base import Base
from labelwright.store.models.datasets import DatasetVersion, DatasetVersionItem
from labelwright.store.models.media import Media, MediaUpload, ProjectMedia
from labelwright.store.models.projects import (
    GuidelineVersion,
    Project,
    SchemaVersion,
    WorkflowVersion,
)
from labelwright.store.models.quality import (
    QualityCounter,
    QualityIssue,
    QualityState,
    QualityTaskScore,
    QualityTaskState,
)
from labelwright.store.models.tasks import Annotation, Prediction, Task
from labelwright.store.models.users import ApiToken, Membership, User
from labelwright.store.models.workflow import (
    Assignment,
    Gold,
    GoldScore,
    GuidelineAck,
    Review,
    TaskComment,
)

__all__ = [
    "Annotation",
    "ApiToken",
    "Assignment",
    "AuditEvent",
    "Base",
    "DatasetVersion",
    "DatasetVersionItem",
    "Gold",
    "GoldScore",
    "GuidelineAck",
    "GuidelineVersion",
    "Job",
    "Media",
    "MediaUpload",
    "Membership",
    "Prediction",
    "Project",
    "ProjectMedia",
    "QualityCounter",
    "QualityIssue",
    "QualityState",
    "QualityTaskScore",
    "QualityTaskState",
    "Review",
    "SchemaVersion",
    "Task",
    "TaskComment",
    "User",
    "WorkflowVersion",
]
