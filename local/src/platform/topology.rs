//! How events travel, as template.yaml declares it: buses, the rules on
//! them, the queues (each with a dead-letter queue) that rules feed and the
//! functions that consume them. The parity test reads these tables.

use berth_domain::events::Source;

/// Where a rule sends matching events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Queue(&'static str),
    /// The search stream (Kinesis in AWS). Locally the in-process index
    /// follows the outbox itself, in commit order, so nothing is sent.
    SearchStream,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The rule's resource in template.yaml.
    pub logical_id: &'static str,
    pub bus: Source,
    /// Matching detail-types; empty matches every event on the bus.
    pub detail_types: &'static [&'static str],
    pub target: Target,
}

impl Rule {
    pub fn matches(&self, source: Source, detail_type: &str) -> bool {
        self.bus == source
            && (self.detail_types.is_empty() || self.detail_types.contains(&detail_type))
    }
}

/// The bus of each event source, as template.yaml names them.
pub fn bus_logical_id(source: Source) -> &'static str {
    match source {
        Source::Properties => "PropertiesBus",
        Source::Bookings => "BookingsBus",
        Source::Users => "UsersBus",
    }
}

const SEARCHABLE_BOOKING_EVENTS: &[&str] = &[
    "BookingHeld",
    "BookingConfirmed",
    "BookingFailed",
    "BookingExpired",
    "BookingCancelled",
];

pub const RULES: &[Rule] = &[
    Rule {
        logical_id: "PropertySearchFeedRule",
        bus: Source::Properties,
        detail_types: &[],
        target: Target::SearchStream,
    },
    Rule {
        logical_id: "BookingSearchFeedRule",
        bus: Source::Bookings,
        detail_types: SEARCHABLE_BOOKING_EVENTS,
        target: Target::SearchStream,
    },
    Rule {
        logical_id: "LedgerRule",
        bus: Source::Bookings,
        detail_types: &["BookingConfirmed", "PaymentRefunded"],
        target: Target::Queue("LedgerQueue"),
    },
    Rule {
        logical_id: "AuditRule",
        bus: Source::Bookings,
        detail_types: &[],
        target: Target::Queue("AuditQueue"),
    },
    Rule {
        logical_id: "NotificationEventsRule",
        bus: Source::Bookings,
        detail_types: &[
            "BookingConfirmed",
            "BookingFailed",
            "BookingCancelled",
            "BookingExpired",
            "CalendarConflict",
        ],
        target: Target::Queue("NotificationEventsQueue"),
    },
    Rule {
        logical_id: "SignalsRule",
        bus: Source::Bookings,
        detail_types: &["BookingConfirmed"],
        target: Target::Queue("SignalsQueue"),
    },
    Rule {
        logical_id: "ErasureRule",
        bus: Source::Users,
        detail_types: &["UserErased"],
        target: Target::Queue("ErasureQueue"),
    },
];

/// A queue and its dead-letter queue, as template.yaml declares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queue {
    pub logical_id: &'static str,
    pub dead_letter: &'static str,
    pub fifo: bool,
    pub visibility_timeout_seconds: u32,
    pub max_receive_count: u32,
    pub batch_size: u32,
}

const fn queue(logical_id: &'static str, dead_letter: &'static str, fifo: bool) -> Queue {
    Queue {
        logical_id,
        dead_letter,
        fifo,
        visibility_timeout_seconds: 60,
        max_receive_count: 5,
        batch_size: 10,
    }
}

pub const QUEUES: &[Queue] = &[
    queue("LedgerQueue", "LedgerDeadLetterQueue", false),
    queue("AuditQueue", "AuditDeadLetterQueue", false),
    queue(
        "NotificationEventsQueue",
        "NotificationEventsDeadLetterQueue",
        false,
    ),
    queue("NotificationsQueue", "NotificationsDeadLetterQueue", true),
    queue("SignalsQueue", "SignalsDeadLetterQueue", false),
    queue("ErasureQueue", "ErasureDeadLetterQueue", false),
];

/// The search stream's resource in template.yaml.
pub const SEARCH_STREAM: &str = "SearchEventsStream";
/// The sweeper's schedule's resource in template.yaml.
pub const SWEEP_SCHEDULE: &str = "SweepHoldsSchedule";
/// The booking state machine's resource in template.yaml.
pub const BOOKING_STATE_MACHINE: &str = "BookingStateMachine";

pub fn queue_spec(logical_id: &str) -> Option<&'static Queue> {
    QUEUES.iter().find(|q| q.logical_id == logical_id)
}
