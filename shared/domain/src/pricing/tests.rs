use serde_json::json;

use super::*;
use crate::ids::UserId;
use crate::money::Currency;
use crate::property::{Listing, tests::fields};

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn eur(amount: i64) -> Money {
    Money::new(amount, Currency::parse("EUR").unwrap())
}

/// 120.00 a night, 30.00 cleaning, 2 to 30 nights, up to 4 guests.
fn property() -> Property {
    Property::list(
        UserId::parse("host").unwrap(),
        Listing::new(fields()).unwrap(),
        chrono::Utc::now(),
    )
}

fn priced(document: serde_json::Value) -> Property {
    let document: PricingDocument = serde_json::from_value(document).unwrap();
    let mut property = property();
    property.pricing = Pricing::parse(document, eur(0).currency).unwrap();
    property
}

fn refused(document: serde_json::Value) -> String {
    let document: PricingDocument = serde_json::from_value(document).unwrap();
    Pricing::parse(document, eur(0).currency)
        .expect_err("accepted")
        .field
}

fn stay(from: &str, to: &str) -> Stay {
    Stay::existing(d(from), d(to)).unwrap()
}

const TODAY: &str = "2027-01-01";

fn quoted(property: &Property, from: &str, to: &str, guests: u32) -> Quote {
    quote(property, stay(from, to), guests, d(TODAY)).unwrap()
}

fn refusal(property: &Property, from: &str, to: &str, guests: u32) -> Refusal {
    price(
        &Terms::of(property),
        stay(from, to),
        guests,
        d(TODAY),
        &mut (),
    )
    .unwrap_err()
}

#[test]
fn without_a_document_a_stay_costs_nights_times_price_plus_cleaning() {
    let q = quoted(&property(), "2027-01-10", "2027-01-13", 2);
    assert_eq!(q.nights, 3);
    assert_eq!(q.nightly_total, eur(36_000));
    assert_eq!(q.night_prices.len(), 3);
    assert!(q.night_prices.iter().all(|n| n.price == eur(12_000)));
    assert_eq!((q.discount, q.fees.len(), q.taxes.len()), (None, 0, 0));
    assert_eq!(q.cleaning_fee, eur(3_000));
    assert_eq!(q.total, eur(39_000));
}

#[test]
fn a_night_costs_its_season_else_its_weekday_else_the_nightly_price() {
    let p = priced(json!({
        "seasons": [{"from": "2027-07-01", "to": "2027-09-01",
                     "nightly_price": {"amount": 15000, "currency": "EUR"}}],
        "weekday_prices": {"fri": {"amount": 14000, "currency": "EUR"},
                           "sat": {"amount": 14000, "currency": "EUR"}}
    }));
    // Fri 25 June to Sat 3 July: two weekend nights, four plain ones, then
    // Thursday and Friday in the season (its Friday at the season's price).
    let q = quoted(&p, "2027-06-25", "2027-07-03", 1);
    let prices: Vec<i64> = q.night_prices.iter().map(|n| n.price.amount).collect();
    assert_eq!(
        prices,
        [
            14_000, 14_000, 12_000, 12_000, 12_000, 12_000, 15_000, 15_000
        ]
    );
    assert_eq!(q.night_prices[0].date, d("2027-06-25"));
    assert_eq!(q.nightly_total, eur(106_000));
    // The season's end is exclusive: 1 September is a plain Wednesday.
    let q = quoted(&p, "2027-08-31", "2027-09-02", 1);
    let prices: Vec<i64> = q.night_prices.iter().map(|n| n.price.amount).collect();
    assert_eq!(prices, [15_000, 12_000]);
}

#[test]
fn every_line_of_a_full_document() {
    let p = priced(json!({
        "seasons": [{"from": "2027-07-01", "to": "2027-09-01",
                     "nightly_price": {"amount": 15000, "currency": "EUR"}}],
        "weekday_prices": {"fri": {"amount": 14000, "currency": "EUR"},
                           "sat": {"amount": 14000, "currency": "EUR"}},
        "length_discounts": [{"min_nights": 28, "percent": 25}, {"min_nights": 7, "percent": 10}],
        "fees": [
            {"name": "linen", "per": "guest", "amount": {"amount": 1000, "currency": "EUR"}},
            {"name": "service", "per": "stay", "amount": {"amount": 575, "currency": "EUR"}},
            {"name": "towels", "per": "night", "amount": {"amount": 100, "currency": "EUR"}},
            {"name": "resort", "per": "guest_night", "amount": {"amount": 25, "currency": "EUR"}}
        ],
        "taxes": [
            {"name": "VAT", "percent": 6},
            {"name": "tourist tax", "per_guest_night": {"amount": 200, "currency": "EUR"}, "max_nights": 7}
        ]
    }));
    let q = quoted(&p, "2027-06-25", "2027-07-03", 3);
    assert_eq!(q.nightly_total, eur(106_000));
    assert_eq!(
        q.discount,
        Some(Discount {
            percent: 10,
            amount: eur(10_600)
        })
    );
    let fees: Vec<(&str, i64)> = q
        .fees
        .iter()
        .map(|l| (l.name.as_str(), l.amount.amount))
        .collect();
    assert_eq!(
        fees,
        [
            ("linen", 3_000),
            ("service", 575),
            ("towels", 800),
            ("resort", 600)
        ]
    );
    // Accommodation: 106000 − 10600 + 3000 cleaning + 4975 fees = 103375;
    // 6% of it is 6202.5, rounded half up; the tourist tax stops at 7 nights.
    let taxes: Vec<(&str, i64)> = q
        .taxes
        .iter()
        .map(|l| (l.name.as_str(), l.amount.amount))
        .collect();
    assert_eq!(taxes, [("VAT", 6_203), ("tourist tax", 4_200)]);
    assert_eq!(q.total, eur(103_375 + 6_203 + 4_200));
    let terms = Terms::of(&p);
    assert_eq!(
        total(&terms, q.stay(), 3, d(TODAY)),
        Ok(q.total),
        "search's total is the quote's"
    );
}

#[test]
fn the_longest_discount_reached_applies_to_the_nights_only() {
    let p = priced(json!({
        "length_discounts": [{"min_nights": 7, "percent": 10}, {"min_nights": 28, "percent": 25}]
    }));
    assert_eq!(quoted(&p, "2027-01-10", "2027-01-16", 1).discount, None);
    let week = quoted(&p, "2027-01-10", "2027-01-17", 1);
    assert_eq!(week.discount.unwrap().amount, eur(8_400));
    assert_eq!(week.total, eur(84_000 - 8_400 + 3_000));
    let month = quoted(&p, "2027-01-10", "2027-02-07", 1);
    assert_eq!(month.discount.unwrap().percent, 25);
    assert_eq!(month.discount.unwrap().amount, eur(84_000));
}

#[test]
fn percentages_round_half_up_in_minor_units() {
    assert_eq!(percent_of(eur(1_050), 5), eur(53));
    assert_eq!(percent_of(eur(1_049), 5), eur(52));
    assert_eq!(percent_of(eur(1_010), 5), eur(51));
    assert_eq!(percent_of(eur(0), 100), eur(0));
    assert_eq!(percent_of(eur(999), 100), eur(999));
}

#[test]
fn each_percent_tax_is_rounded_on_its_own_line() {
    // 2 nights at 120.00 + 30.00 cleaning = 27000 + 10.05 fee = 27005:
    // 2.5% would need a fraction, so 1% three times: 270.05 → 270 each.
    let p = priced(json!({
        "fees": [{"name": "booking", "per": "stay", "amount": {"amount": 5, "currency": "EUR"}}],
        "taxes": [{"name": "a", "percent": 1}, {"name": "b", "percent": 1}, {"name": "c", "percent": 1}]
    }));
    let q = quoted(&p, "2027-01-10", "2027-01-12", 1);
    assert!(q.taxes.iter().all(|t| t.amount == eur(270)), "{q:?}");
    assert_eq!(q.total, eur(27_005 + 810));
}

#[test]
fn the_check_in_nights_season_sets_the_minimum_stay() {
    let p = priced(json!({
        "seasons": [
            {"from": "2027-07-01", "to": "2027-09-01",
             "nightly_price": {"amount": 15000, "currency": "EUR"}, "min_nights": 5},
            {"from": "2027-12-20", "to": "2028-01-05",
             "nightly_price": {"amount": 9000, "currency": "EUR"}, "min_nights": 1}
        ]
    }));
    let r = refusal(&p, "2027-07-10", "2027-07-14", 1);
    assert_eq!(r, Refusal::TooFewSeasonNights(5));
    assert_eq!((r.field(), r.rule()), ("check_out", "seasons.min_nights"));
    assert_eq!(quoted(&p, "2027-07-10", "2027-07-15", 1).nights, 5);
    // Arriving the day before the season: the property's minimum (2) rules.
    assert_eq!(quoted(&p, "2027-06-30", "2027-07-02", 1).nights, 2);
    // A season may ask for less than the property.
    assert_eq!(quoted(&p, "2027-12-24", "2027-12-25", 1).nights, 1);
    assert_eq!(
        refusal(&p, "2027-12-19", "2027-12-20", 1),
        Refusal::TooFewNights(2)
    );
}

#[test]
fn guests_and_nights_must_fit_the_property() {
    let p = property();
    assert_eq!(
        refusal(&p, "2027-01-10", "2027-01-11", 2),
        Refusal::TooFewNights(2)
    );
    assert_eq!(
        refusal(&p, "2027-01-10", "2027-02-10", 2),
        Refusal::TooManyNights(30)
    );
    assert_eq!(
        refusal(&p, "2027-01-10", "2027-01-12", 5),
        Refusal::TooManyGuests(4)
    );
    assert_eq!(
        refusal(&p, "2027-01-10", "2027-01-12", 0),
        Refusal::NoGuests
    );
    let err = quote(&p, stay("2027-01-10", "2027-01-12"), 5, d(TODAY)).unwrap_err();
    assert_eq!(err.field, "guests");
    assert!(err.problem.starts_with("max_guests"), "{err}");
}

#[test]
fn notice_window_and_days_refuse_a_stay_by_name() {
    let p = priced(json!({
        "advance_notice_days": 2, "booking_window_days": 30,
        "check_in_days": ["sat", "sun"], "check_out_days": ["sat", "sun", "fri"]
    }));
    // Today is Friday 1 January 2027.
    assert_eq!(quoted(&p, "2027-01-03", "2027-01-08", 1).nights, 5);
    let cases = [
        ("2027-01-02", "2027-01-08", Refusal::AdvanceNotice(2)),
        ("2027-02-06", "2027-02-12", Refusal::BookingWindow(30)),
        (
            "2027-01-04",
            "2027-01-08",
            Refusal::CheckInDay(Weekday::Mon),
        ),
        (
            "2027-01-03",
            "2027-01-06",
            Refusal::CheckOutDay(Weekday::Wed),
        ),
    ];
    for (from, to, expected) in cases {
        assert_eq!(refusal(&p, from, to, 1), expected, "{from}..{to}");
        let err = quote(&p, stay(from, to), 1, d(TODAY)).unwrap_err();
        assert_eq!(err.field, expected.field());
        assert!(err.problem.starts_with(expected.rule()), "{err}");
    }
    // The window's last day is still bookable.
    assert_eq!(quoted(&p, "2027-01-31", "2027-02-05", 1).nights, 5);
}

#[test]
fn bad_documents_are_refused_naming_the_field() {
    let usd = json!({"amount": 100, "currency": "USD"});
    let eur = |amount: i64| json!({"amount": amount, "currency": "EUR"});
    let cases = [
        (
            json!({"weekday_prices": {"fri": usd}}),
            "weekday_prices.fri.currency",
        ),
        (
            json!({"weekday_prices": {"fry": eur(1)}}),
            "weekday_prices.fry",
        ),
        (
            json!({"weekday_prices": {"sat": eur(-1)}}),
            "weekday_prices.sat.amount",
        ),
        (
            json!({"seasons": [{"from": "2027-07-01", "to": "2027-07-01", "nightly_price": eur(1)}]}),
            "seasons[0].to",
        ),
        (
            json!({"seasons": [
                {"from": "2027-08-01", "to": "2027-09-01", "nightly_price": eur(1)},
                {"from": "2027-07-01", "to": "2027-08-02", "nightly_price": eur(1)}]}),
            "seasons[0]",
        ),
        (
            json!({"seasons": [{"from": "2027-07-01", "to": "2027-08-01", "nightly_price": usd}]}),
            "seasons[0].nightly_price.currency",
        ),
        (
            json!({"seasons": [{"from": "2027-07-01", "to": "2027-08-01", "nightly_price": eur(1), "min_nights": 0}]}),
            "seasons[0].min_nights",
        ),
        (
            json!({"length_discounts": [{"min_nights": 7, "percent": 101}]}),
            "length_discounts[0].percent",
        ),
        (
            json!({"fees": [{"name": "x", "per": "week", "amount": eur(1)}]}),
            "fees[0].per",
        ),
        (
            json!({"fees": [{"name": "x", "per": "stay", "amount": usd}]}),
            "fees[0].amount.currency",
        ),
        (
            json!({"fees": [{"name": " ", "per": "stay", "amount": eur(1)}]}),
            "fees[0].name",
        ),
        (
            json!({"taxes": [{"name": "VAT", "percent": 200}]}),
            "taxes[0].percent",
        ),
        (
            json!({"taxes": [{"name": "t", "percent": 5, "per_guest_night": eur(1)}]}),
            "taxes[0]",
        ),
        (
            json!({"taxes": [{"name": "t", "per_guest_night": usd}]}),
            "taxes[0].per_guest_night.currency",
        ),
        (
            json!({"taxes": [{"name": "t", "percent": 5, "max_nights": 3}]}),
            "taxes[0].max_nights",
        ),
        (json!({"check_in_days": ["saturday"]}), "check_in_days[0]"),
        (json!({"check_out_days": []}), "check_out_days"),
        (json!({"booking_window_days": 5000}), "booking_window_days"),
    ];
    for (document, field) in cases {
        assert_eq!(refused(document.clone()), field, "{document}");
    }
}

#[test]
fn a_document_reads_back_as_it_was_given() {
    let document = json!({
        "seasons": [{"from": "2027-07-01", "to": "2027-09-01",
                     "nightly_price": {"amount": 15000, "currency": "EUR"}, "min_nights": 5}],
        "weekday_prices": {"fri": {"amount": 12000, "currency": "EUR"}},
        "length_discounts": [{"min_nights": 7, "percent": 10}],
        "fees": [{"name": "linen", "per": "guest", "amount": {"amount": 1000, "currency": "EUR"}}],
        "taxes": [{"name": "VAT", "percent": 6, "per_guest_night": null, "max_nights": null},
                  {"name": "tourist tax", "percent": null,
                   "per_guest_night": {"amount": 200, "currency": "EUR"}, "max_nights": 7}],
        "advance_notice_days": 1, "booking_window_days": 365,
        "check_in_days": ["sat"], "check_out_days": ["sat"]
    });
    let pricing = priced(document.clone()).pricing;
    assert_eq!(serde_json::to_value(&pricing).unwrap(), document);
    let stored: Pricing = serde_json::from_value(document).unwrap();
    assert_eq!(stored, pricing);
    let empty: Pricing = serde_json::from_value(json!({})).unwrap();
    assert!(empty.is_empty());
    // A property stored before pricing existed reads with an empty document.
    let mut old = serde_json::to_value(property()).unwrap();
    old.as_object_mut().unwrap().remove("pricing");
    let back: Property = serde_json::from_value(old).unwrap();
    assert!(back.pricing.is_empty());
}

#[test]
fn bounds_are_tight_where_only_discounts_and_rounding_can_move_the_total() {
    // Fees and a capped guest-night tax come out exact; one percent tax
    // leaves a unit of rounding either way.
    let p = priced(json!({
        "length_discounts": [{"min_nights": 7, "percent": 10}],
        "fees": [{"name": "linen", "per": "guest", "amount": eur(1000)},
                 {"name": "towels", "per": "guest_night", "amount": eur(150)}],
        "taxes": [{"name": "VAT", "percent": 7},
                  {"name": "tourist tax", "per_guest_night": eur(200), "max_nights": 7}]
    }));
    let bounds = Terms::of(&p).bounds();
    let short = stay("2027-01-11", "2027-01-14");
    let total = quoted(&p, "2027-01-11", "2027-01-14", 2).total.amount;
    assert!(bounds.lower(short, 2) <= total && total <= bounds.upper(short, 2));
    assert!(bounds.upper(short, 2) - bounds.lower(short, 2) <= 1);
    // Until a second length asks for another, the discount is known too.
    let long = stay("2027-01-11", "2027-01-21");
    let total = quoted(&p, "2027-01-11", "2027-01-21", 2).total.amount;
    assert!(bounds.lower(long, 2) <= total && total <= bounds.upper(long, 2));
    assert!(bounds.upper(long, 2) - bounds.lower(long, 2) <= 3);
    assert_eq!((bounds.lowest_night(), bounds.discount_from()), (12000, 7));
    assert_eq!(
        (bounds.largest_discount(6), bounds.largest_discount(7)),
        (0, 10)
    );
    // Three taxes each rounding down (4% of 390.10 is 15.604): the lower
    // bound allows for every line's rounding, not just the sum's.
    let p = priced(json!({
        "fees": [{"name": "booking", "per": "stay", "amount": eur(10)}],
        "taxes": [{"name": "a", "percent": 4}, {"name": "b", "percent": 4},
                  {"name": "c", "percent": 4}]
    }));
    let total = quoted(&p, "2027-01-11", "2027-01-14", 1).total.amount;
    assert_eq!(total, 39010 + 3 * 1560);
    let bounds = Terms::of(&p).bounds();
    assert!(bounds.lower(short, 1) <= total && total <= bounds.upper(short, 1));
    // A weekday price is counted for the nights that fall on it.
    let p = priced(json!({
        "weekday_prices": {"sat": eur(20000)},
        "seasons": [{"from": "2027-07-01", "to": "2027-07-10", "nightly_price": eur(9000)},
                    {"from": "2027-08-01", "to": "2027-09-01", "nightly_price": eur(30000)}]
    }));
    let bounds = Terms::of(&p).bounds();
    let cost = |from, to| {
        let stay = stay(from, to);
        (bounds.lower(stay, 1) - 3000, bounds.upper(stay, 1) - 3000)
    };
    // Clear of the seasons the nights are exact: Monday to Thursday, then
    // Friday to Monday (a Saturday among them), then 9 nights from Sunday.
    assert_eq!(cost("2027-01-11", "2027-01-14"), (3 * 12000, 3 * 12000));
    assert_eq!(cost("2027-06-25", "2027-06-28"), (44000, 44000));
    assert_eq!(
        cost("2027-09-05", "2027-09-14"),
        (8 * 12000 + 20000, 8 * 12000 + 20000)
    );
    // Reaching into them, from the cheapest to the dearest night of all.
    assert_eq!(cost("2027-06-28", "2027-07-02"), (4 * 9000, 4 * 30000));
    assert_eq!(cost("2027-07-20", "2027-07-23"), (3 * 9000, 3 * 30000));
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    fn money(max: i64) -> impl Strategy<Value = serde_json::Value> {
        (0..=max).prop_map(|amount| json!({"amount": amount, "currency": "EUR"}))
    }

    fn document() -> impl Strategy<Value = serde_json::Value> {
        let seasons = prop::collection::vec(
            (
                0u32..40,
                1u32..60,
                money(500_000),
                prop::option::of(1u32..8),
            ),
            0..4,
        );
        let weekdays = prop::collection::btree_map(0usize..7, money(500_000), 0..7);
        let discounts = prop::collection::vec((1u32..=40, 0u32..=100), 0..4);
        let fees = prop::collection::vec((0usize..4, money(50_000)), 0..4);
        let taxes = prop::collection::vec(
            prop_oneof![
                (0u32..=100).prop_map(|p| json!({"name": "t", "percent": p})),
                (money(5_000), prop::option::of(1u32..10)).prop_map(|(m, cap)| {
                    json!({"name": "g", "per_guest_night": m, "max_nights": cap})
                }),
            ],
            0..5,
        );
        (seasons, weekdays, discounts, fees, taxes).prop_map(
            |(seasons, weekdays, discounts, fees, taxes)| {
                let mut start = d("2027-01-01");
                let seasons: Vec<_> = seasons
                    .into_iter()
                    .map(|(gap, len, price, min)| {
                        let from = start.add_days(gap);
                        start = from.add_days(len);
                        json!({"from": from, "to": start, "nightly_price": price, "min_nights": min})
                    })
                    .collect();
                let weekdays: serde_json::Map<_, _> = weekdays
                    .into_iter()
                    .map(|(day, price)| (Weekday::ALL[day].name().to_owned(), price))
                    .collect();
                let discounts: Vec<_> = discounts
                    .into_iter()
                    .map(|(n, p)| json!({"min_nights": n, "percent": p}))
                    .collect();
                let pers = ["stay", "night", "guest", "guest_night"];
                let fees: Vec<_> = fees
                    .into_iter()
                    .map(|(per, amount)| json!({"name": "f", "per": pers[per], "amount": amount}))
                    .collect();
                json!({"seasons": seasons, "weekday_prices": weekdays,
                       "length_discounts": discounts, "fees": fees, "taxes": taxes})
            },
        )
    }

    proptest! {
        #[test]
        fn lines_add_up_to_the_total_none_is_negative_and_bounds_hold(
            document in document(),
            offset in 0u32..300,
            nights in 1u32..=30,
            guests in 1u32..=4,
        ) {
            let property = priced(document);
            let check_in = d("2027-01-01").add_days(offset);
            let stay = Stay::existing(check_in, check_in.add_days(nights)).unwrap();
            let Ok(q) = quote(&property, stay, guests, d(TODAY)) else {
                // Only a season's minimum can refuse these stays.
                let season = property.pricing.season(check_in).and_then(|s| s.min_nights);
                prop_assert!(season.is_some_and(|min| nights < min) || nights < 2);
                return Ok(());
            };
            let nights_sum: i64 = q.night_prices.iter().map(|n| n.price.amount).sum();
            prop_assert_eq!(nights_sum, q.nightly_total.amount);
            prop_assert_eq!(q.night_prices.len() as u32, nights);
            let discount = q.discount.map_or(0, |d| d.amount.amount);
            let fees: i64 = q.fees.iter().map(|l| l.amount.amount).sum();
            let taxes: i64 = q.taxes.iter().map(|l| l.amount.amount).sum();
            prop_assert_eq!(
                q.nightly_total.amount - discount + q.cleaning_fee.amount + fees + taxes,
                q.total.amount
            );
            let lines = q.night_prices.iter().map(|n| n.price)
                .chain(q.fees.iter().map(|l| l.amount))
                .chain(q.taxes.iter().map(|l| l.amount))
                .chain(q.discount.map(|d| d.amount))
                .chain([q.nightly_total, q.cleaning_fee, q.total]);
            for line in lines {
                prop_assert!(line.amount >= 0, "{line} in {q:?}");
                prop_assert_eq!(line.currency, q.total.currency);
            }
            prop_assert!(discount <= q.nightly_total.amount);
            let terms = Terms::of(&property);
            prop_assert_eq!(total(&terms, stay, guests, d(TODAY)), Ok(q.total));
            let bounds = terms.bounds();
            let (lower, upper) = (bounds.lower(stay, guests), bounds.upper(stay, guests));
            let discount = i64::from(100 - bounds.largest_discount(nights));
            let floor = i64::from(nights) * bounds.lowest_night() * discount / 100;
            prop_assert!(floor <= lower, "{bounds:?} {q:?}");
            prop_assert!(lower <= q.total.amount, "{bounds:?} {q:?}");
            prop_assert!(q.total.amount <= upper, "{bounds:?} {q:?}");
        }
    }
}
