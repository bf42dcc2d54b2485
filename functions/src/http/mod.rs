//! HTTP functions: one module per route, each a `Deps` (the narrowest ports
//! the route needs) and a `handle` taking API Gateway's HTTP API (payload 2.0)
//! request.

pub mod channels;
pub mod dto;

pub mod add_calendar_feed;
pub mod cancel_booking;
pub mod create_booking;
pub mod create_property;
pub mod create_quote;
pub mod delete_calendar_feed;
pub mod delete_me;
pub mod earnings_report;
pub mod get_availability;
pub mod get_booking;
pub mod get_calendar;
pub mod get_calendar_export;
pub mod get_calendar_ics;
pub mod get_me;
pub mod get_pricing;
pub mod get_property;
pub mod health;
pub mod list_bookings;
pub mod list_calendar_conflicts;
pub mod list_calendar_feeds;
pub mod list_my_properties;
pub mod put_preferences;
pub mod put_pricing;
pub mod rotate_calendar_export;
pub mod set_calendar;
pub mod sync_calendar_feed;
pub mod update_property;
