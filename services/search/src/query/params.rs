//! GET /search parameters → [`SearchRequest`]. Every problem names the
//! parameter it is about.

use std::collections::HashMap;

use berth_domain::dates::{Date, Stay};
use berth_domain::money::Currency;
use berth_domain::property::{Amenity, Location, MAX_GUESTS};

use super::cursor::{Cursor, fingerprint};
use super::{Area, BoundingBox, DEFAULT_LIMIT, MAX_LIMIT, SearchRequest, Sort};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter}: {problem}")]
pub struct InvalidParameter {
    pub parameter: String,
    pub problem: String,
}

impl InvalidParameter {
    pub fn new(parameter: &str, problem: impl Into<String>) -> Self {
        Self {
            parameter: parameter.to_owned(),
            problem: problem.into(),
        }
    }
}

const KNOWN: [&str; 13] = [
    "city",
    "bbox",
    "near",
    "check_in",
    "check_out",
    "guests",
    "min_price",
    "max_price",
    "currency",
    "amenities",
    "sort",
    "limit",
    "cursor",
];

/// The longest price bound accepted: far above any stay's total.
const MAX_PRICE_BOUND: i64 = 1_000_000_000_000;

impl SearchRequest {
    /// Parses a query string (without the `?`). `today` is the first day a stay may start.
    pub fn parse(query: &str, today: Date) -> Result<Self, InvalidParameter> {
        let params = params(query)?;
        let get = |name: &str| params.get(name).map(String::as_str);
        let area = area(get("city"), get("bbox"))?;
        let stay = stay(get("check_in"), get("check_out"), today)?;
        let guests = match get("guests") {
            Some(text) => number("guests", text, 1, i64::from(MAX_GUESTS))? as u32,
            None => 1,
        };
        let min_total = get("min_price")
            .map(|t| number("min_price", t, 0, MAX_PRICE_BOUND))
            .transpose()?;
        let max_total = get("max_price")
            .map(|t| number("max_price", t, 0, MAX_PRICE_BOUND))
            .transpose()?;
        if let (Some(min), Some(max)) = (min_total, max_total)
            && min > max
        {
            return Err(InvalidParameter::new(
                "max_price",
                "must be at least min_price",
            ));
        }
        let currency = get("currency")
            .map(|code| {
                Currency::parse(code).map_err(|e| InvalidParameter::new("currency", e.problem))
            })
            .transpose()?;
        let amenities = get("amenities").map(amenities).transpose()?.unwrap_or(0);
        let sort = match get("sort") {
            None | Some("price") => Sort::Price,
            Some("rating") => Sort::Rating,
            Some("distance") => Sort::Distance,
            Some(_) => {
                return Err(InvalidParameter::new(
                    "sort",
                    "must be price, rating or distance",
                ));
            }
        };
        let near = get("near").map(near).transpose()?;
        let limit = match get("limit") {
            Some(text) => number("limit", text, 1, MAX_LIMIT as i64)? as usize,
            None => DEFAULT_LIMIT,
        };
        let mut request = Self {
            area,
            stay,
            guests,
            min_total,
            max_total,
            currency,
            amenities,
            sort,
            near,
            limit,
            after: None,
            fingerprint: 0,
        };
        request.fingerprint = fingerprint(&request.canonical());
        if let Some(text) = get("cursor") {
            let cursor = Cursor::decode(text).ok_or_else(|| {
                InvalidParameter::new("cursor", "is not a cursor this API gave out")
            })?;
            if cursor.fingerprint != request.fingerprint {
                return Err(InvalidParameter::new(
                    "cursor",
                    "belongs to a different query",
                ));
            }
            request.after = Some(cursor);
        }
        Ok(request)
    }

    /// Everything that decides the results, but the page size and position.
    fn canonical(&self) -> String {
        let area = match &self.area {
            Area::City(key) => format!("city={key}"),
            Area::Bounds(b) => format!(
                "bbox={},{},{},{}",
                b.min_lat, b.min_lon, b.max_lat, b.max_lon
            ),
        };
        format!(
            "{area}|{}|{}|{}|{:?}|{:?}|{:?}|{}|{}|{:?}",
            self.stay.check_in,
            self.stay.check_out,
            self.guests,
            self.min_total,
            self.max_total,
            self.currency.map(|c| c.to_string()),
            self.amenities,
            self.sort.name(),
            self.near.map(|l| (l.lat, l.lon)),
        )
    }
}

fn params(query: &str) -> Result<HashMap<String, String>, InvalidParameter> {
    let mut params = HashMap::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if !KNOWN.contains(&name.as_ref()) {
            return Err(InvalidParameter::new(
                &name,
                format!("is not a search parameter; known: {}", KNOWN.join(", ")),
            ));
        }
        if params
            .insert(name.to_string(), value.into_owned())
            .is_some()
        {
            return Err(InvalidParameter::new(&name, "is given more than once"));
        }
    }
    Ok(params)
}

fn area(city: Option<&str>, bbox: Option<&str>) -> Result<Area, InvalidParameter> {
    match (city, bbox) {
        (Some(_), Some(_)) => Err(InvalidParameter::new(
            "bbox",
            "give either city or bbox, not both",
        )),
        (None, None) => Err(InvalidParameter::new("city", "city or bbox is required")),
        (Some(city), None) => {
            let key = crate::index::city_key(city);
            if key.is_empty() || key.chars().count() > 80 {
                return Err(InvalidParameter::new("city", "must be 1 to 80 characters"));
            }
            Ok(Area::City(key))
        }
        (None, Some(text)) => {
            let shape = "must be min_lat,min_lon,max_lat,max_lon in degrees";
            let numbers =
                coordinates(text, 4).ok_or_else(|| InvalidParameter::new("bbox", shape))?;
            let [min_lat, min_lon, max_lat, max_lon] = numbers[..] else {
                return Err(InvalidParameter::new("bbox", shape));
            };
            if Location::new(min_lat, min_lon).is_err() || Location::new(max_lat, max_lon).is_err()
            {
                return Err(InvalidParameter::new(
                    "bbox",
                    "latitudes must be within ±90 and longitudes within ±180",
                ));
            }
            if min_lat > max_lat {
                return Err(InvalidParameter::new(
                    "bbox",
                    "min_lat must not exceed max_lat",
                ));
            }
            Ok(Area::Bounds(BoundingBox {
                min_lat,
                min_lon,
                max_lat,
                max_lon,
            }))
        }
    }
}

fn coordinates(text: &str, count: usize) -> Option<Vec<f64>> {
    let numbers: Vec<f64> = text
        .split(',')
        .map(|part| part.trim().parse::<f64>().ok().filter(|n| n.is_finite()))
        .collect::<Option<_>>()?;
    (numbers.len() == count).then_some(numbers)
}

fn near(text: &str) -> Result<Location, InvalidParameter> {
    let shape = || InvalidParameter::new("near", "must be lat,lon in degrees");
    let numbers = coordinates(text, 2).ok_or_else(shape)?;
    Location::new(numbers[0], numbers[1]).map_err(|e| InvalidParameter::new("near", e.problem))
}

fn stay(
    check_in: Option<&str>,
    check_out: Option<&str>,
    today: Date,
) -> Result<Stay, InvalidParameter> {
    let date = |name: &str, text: Option<&str>| {
        let text = text.ok_or_else(|| InvalidParameter::new(name, "is required"))?;
        Date::parse(text).map_err(|_| InvalidParameter::new(name, "must be a date (YYYY-MM-DD)"))
    };
    let (check_in, check_out) = (date("check_in", check_in)?, date("check_out", check_out)?);
    Stay::new(check_in, check_out, today).map_err(|e| InvalidParameter::new(&e.field, e.problem))
}

fn number(name: &str, text: &str, min: i64, max: i64) -> Result<i64, InvalidParameter> {
    text.parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            InvalidParameter::new(name, format!("must be a whole number from {min} to {max}"))
        })
}

fn amenities(text: &str) -> Result<u32, InvalidParameter> {
    text.split(',').try_fold(0, |bits, name| {
        Amenity::parse(name.trim())
            .map(|a| bits | a.bit())
            .map_err(|e| InvalidParameter::new("amenities", e.problem))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::parse("2027-03-01").unwrap()
    }

    fn parse(query: &str) -> Result<SearchRequest, InvalidParameter> {
        SearchRequest::parse(query, today())
    }

    fn rejected(query: &str) -> String {
        parse(query).expect_err(query).parameter
    }

    const STAY: &str = "check_in=2027-03-10&check_out=2027-03-13";

    #[test]
    fn a_full_query_parses() {
        let q = format!(
            "city=%20Lisbon&{STAY}&guests=2&min_price=100&max_price=900&currency=EUR&amenities=wifi,pool&sort=distance&near=38.7,-9.1&limit=5"
        );
        let request = parse(&q).unwrap();
        assert_eq!(request.area, Area::City("lisbon".into()));
        assert_eq!(request.stay.nights(), 3);
        assert_eq!(
            (request.guests, request.limit, request.sort),
            (2, 5, Sort::Distance)
        );
        assert_eq!(request.amenities, Amenity::Wifi.bit() | Amenity::Pool.bit());
        let defaults = parse(&format!("bbox=38,-10,39,-9&{STAY}")).unwrap();
        assert_eq!(
            (defaults.guests, defaults.limit, defaults.sort),
            (1, DEFAULT_LIMIT, Sort::Price)
        );
    }

    #[test]
    fn each_problem_names_its_parameter() {
        let cases = [
            (STAY.to_owned(), "city"),
            (format!("city=a&bbox=1,2,3,4&{STAY}"), "bbox"),
            (format!("bbox=1,2,3&{STAY}"), "bbox"),
            (format!("bbox=3,2,1,4&{STAY}"), "bbox"),
            (format!("bbox=1,2,3,200&{STAY}"), "bbox"),
            ("city=a&check_out=2027-03-13".to_owned(), "check_in"),
            (
                "city=a&check_in=2027-3-10&check_out=2027-03-13".to_owned(),
                "check_in",
            ),
            (
                "city=a&check_in=2027-02-10&check_out=2027-02-13".to_owned(),
                "check_in",
            ),
            (
                "city=a&check_in=2027-03-10&check_out=2027-03-10".to_owned(),
                "check_out",
            ),
            (
                "city=a&check_in=2027-03-10&check_out=2027-06-09".to_owned(),
                "check_out",
            ),
            (format!("city=a&{STAY}&guests=0"), "guests"),
            (format!("city=a&{STAY}&guests=two"), "guests"),
            (format!("city=a&{STAY}&min_price=-1"), "min_price"),
            (
                format!("city=a&{STAY}&min_price=5&max_price=4"),
                "max_price",
            ),
            (format!("city=a&{STAY}&currency=eur"), "currency"),
            (format!("city=a&{STAY}&amenities=wifi,moat"), "amenities"),
            (format!("city=a&{STAY}&sort=cheapest"), "sort"),
            (format!("city=a&{STAY}&near=91,0"), "near"),
            (format!("city=a&{STAY}&limit=51"), "limit"),
            (format!("city=a&{STAY}&cursor=zzz"), "cursor"),
            (format!("city=a&{STAY}&colour=red"), "colour"),
            (format!("city=a&city=b&{STAY}"), "city"),
        ];
        for (query, parameter) in cases {
            assert_eq!(rejected(&query), parameter, "{query}");
        }
    }

    #[test]
    fn a_cursor_only_fits_its_own_query() {
        let request = parse(&format!("city=a&{STAY}")).unwrap();
        let cursor = Cursor {
            fingerprint: request.fingerprint,
            key: 1,
            id: 2,
            origin: None,
        }
        .encode();
        assert!(
            parse(&format!("city=A&{STAY}&limit=3&cursor={cursor}")).is_ok(),
            "case and limit do not matter"
        );
        assert_eq!(
            rejected(&format!("city=b&{STAY}&cursor={cursor}")),
            "cursor"
        );
    }

    #[test]
    fn boxes_may_cross_the_antimeridian() {
        let request = parse(&format!("bbox=-20,170,-10,-170&{STAY}")).unwrap();
        let Area::Bounds(b) = request.area else {
            panic!("not a box")
        };
        assert!(b.contains(-15.0, 175.0) && b.contains(-15.0, -175.0) && !b.contains(-15.0, 0.0));
        assert_eq!(b.centre(), (-15.0, 180.0));
    }
}
