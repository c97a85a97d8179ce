"""Every domain's tables, imported in one place for Alembic and the seeds."""

from .accounts.models import (  # noqa: F401
    AccessToken,
    AccountToken,
    LoginFailure,
    Organisation,
    PasswordResetRequest,
    User,
)
from .audit.models import AuditEntry  # noqa: F401
from .catalogue.models import (  # noqa: F401
    Closure,
    Equipment,
    EquipmentCategory,
    OpeningHours,
    Qualification,
    TrainingBase,
)
from .classes.models import ClassMember, SchoolClass  # noqa: F401
from .db import db
from .idempotency.models import IdempotencyKey  # noqa: F401
from .idle.models import IdleFinding  # noqa: F401
from .impact.models import ContributionPeriod, ImpactSummary  # noqa: F401
from .notifications.models import Notification  # noqa: F401
from .offers.models import (  # noqa: F401
    Offer,
    OfferEvent,
    OfferItem,
    OfferWindow,
    OfferWindowSpan,
)
from .outcomes.models import Outcome, OutcomeSkill, OutcomeTrainee, SkillTag  # noqa: F401
from .reports.models import ReportRun, UtilisationRow  # noqa: F401
from .reservations.models import (  # noqa: F401
    Blackout,
    BookingQuota,
    Reservation,
    ReservationAttendee,
    ReservationEvent,
    Series,
    WaitlistEntry,
)
from .scheduling.models import SchedulerLease  # noqa: F401
from .signon.models import IdentityProvider, SignOnAttempt  # noqa: F401

metadata = db.metadata
