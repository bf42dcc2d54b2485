//! The search benchmark behind `berth bench search`: builds an index of
//! generated properties (see `data`) and times realistic query mixes on one
//! thread, parsing included.

mod data;

use std::fmt;
use std::time::{Duration, Instant};

use berth_domain::dates::Date;
use rand::Rng;
use rand::rngs::StdRng;

use crate::index::{Index, Positions};
use crate::query::SearchRequest;
use data::City;

#[derive(Debug, Clone)]
pub struct BenchArgs {
    pub properties: usize,
    /// Queries timed per mix.
    pub queries_per_mix: usize,
    pub seed: u64,
    /// Percent of properties with a pricing document.
    pub priced_percent: u32,
}

impl Default for BenchArgs {
    fn default() -> Self {
        Self {
            properties: 100_000,
            queries_per_mix: 300,
            seed: 7,
            priced_percent: 20,
        }
    }
}

/// Latency percentiles of one set of queries.
#[derive(Debug, Clone, Copy, Default)]
pub struct Latency {
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Latency {
    fn of(mut times: Vec<Duration>) -> Self {
        times.sort_unstable();
        Self {
            p50: percentile(&times, 50.0),
            p99: percentile(&times, 99.0),
            max: times.last().copied().unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct MixReport {
    pub name: String,
    /// Wall-clock time per query.
    pub wall: Latency,
    /// CPU time of the querying thread per query: the same work without
    /// the time other processes took the core (this machine is shared).
    pub cpu: Latency,
    /// Mean hits on the first page (so a mix that finds nothing shows).
    pub mean_hits: f64,
}

#[derive(Debug, Clone)]
pub struct BenchReport {
    pub properties: usize,
    pub cities: usize,
    pub big_city: usize,
    pub priced_percent: u32,
    /// Time spent inside the bulk loader (data generation excluded).
    pub build: Duration,
    pub heap_bytes: usize,
    /// Growth of the resident set while generating and building.
    pub rss_delta_bytes: Option<usize>,
    pub booked_share: f64,
    pub snapshot_bytes: usize,
    pub snapshot_time: Duration,
    pub restore_time: Duration,
    pub mixes: Vec<MixReport>,
    pub overall_wall: Latency,
    pub overall_cpu: Latency,
}

pub fn run(args: BenchArgs) -> BenchReport {
    let today = Date::parse("2027-01-04").expect("valid date");
    let now = today.start() + chrono::Duration::hours(12);
    let mut rng = data::rng(args.seed);
    let cities = data::cities(args.properties, &mut rng);
    let rss_before = resident_bytes();
    let mut builder = Index::builder(today, Positions::default());
    let loading = Instant::now();
    data::load(
        &mut builder,
        &cities,
        today,
        now,
        args.priced_percent,
        &mut rng,
    );
    let index = builder.finish();
    let build = loading.elapsed();
    let rss_delta_bytes = resident_bytes()
        .zip(rss_before)
        .map(|(after, before)| after.saturating_sub(before));
    let started = Instant::now();
    let snapshot = index.snapshot();
    let snapshot_time = started.elapsed();
    let started = Instant::now();
    let restored = Index::restore(&snapshot).expect("a fresh snapshot restores");
    let restore_time = started.elapsed();
    let snapshot_bytes = snapshot.len();
    drop((snapshot, restored));
    let (mut all_wall, mut all_cpu) = (Vec::new(), Vec::new());
    let mut mixes = Vec::new();
    for mix in Mix::ALL {
        for sort in ["price", "rating"] {
            let (mut wall, mut cpu) = (Vec::new(), Vec::new());
            let mut hits = 0;
            for _ in 0..args.queries_per_mix {
                let query = mix.query(&cities, sort, &mut rng);
                let (started, cpu_started) = (Instant::now(), thread_cpu_time());
                let request = SearchRequest::parse(&query, today).expect("bench queries are valid");
                let page = index.search(&request, now);
                cpu.push(thread_cpu_time().saturating_sub(cpu_started));
                wall.push(started.elapsed());
                hits += page.results.len();
            }
            all_wall.extend_from_slice(&wall);
            all_cpu.extend_from_slice(&cpu);
            mixes.push(MixReport {
                name: format!("{} by {sort}", mix.name()),
                wall: Latency::of(wall),
                cpu: Latency::of(cpu),
                mean_hits: hits as f64 / args.queries_per_mix.max(1) as f64,
            });
        }
    }
    BenchReport {
        properties: index.len(),
        cities: cities.len(),
        big_city: cities[0].size,
        priced_percent: args.priced_percent,
        build,
        heap_bytes: index.heap_bytes(),
        rss_delta_bytes,
        booked_share: index.closed_share(today),
        snapshot_bytes,
        snapshot_time,
        restore_time,
        mixes,
        overall_wall: Latency::of(all_wall),
        overall_cpu: Latency::of(all_cpu),
    }
}

#[derive(Debug, Clone, Copy)]
enum Mix {
    BigCity,
    SmallCity,
    BoundingBox,
    TightPrice,
    Amenities,
}

impl Mix {
    const ALL: [Mix; 5] = [
        Mix::BigCity,
        Mix::SmallCity,
        Mix::BoundingBox,
        Mix::TightPrice,
        Mix::Amenities,
    ];

    fn name(self) -> &'static str {
        match self {
            Mix::BigCity => "big city",
            Mix::SmallCity => "small city",
            Mix::BoundingBox => "bounding box",
            Mix::TightPrice => "big city, tight price range",
            Mix::Amenities => "big city, 3 amenities",
        }
    }

    fn query(self, cities: &[City], sort: &str, rng: &mut StdRng) -> String {
        let nights = rng.random_range(1..=7);
        let check_in = Date::parse("2027-01-04")
            .expect("valid date")
            .add_days(rng.random_range(1..=180));
        let stay = format!(
            "check_in={check_in}&check_out={}&guests={}&sort={sort}",
            check_in.add_days(nights),
            rng.random_range(1..=4)
        );
        let big = &cities[0].name;
        match self {
            Mix::BigCity => format!("city={big}&{stay}"),
            Mix::SmallCity => {
                let city = &cities[rng.random_range(cities.len() / 2..cities.len())];
                format!("city={}&{stay}", city.name)
            }
            Mix::BoundingBox => {
                let city = &cities[rng.random_range(1..cities.len().min(50))];
                let ((lat, lon), r) = (city.centre, city.radius * 0.6);
                format!(
                    "bbox={},{},{},{}&{stay}",
                    lat - r,
                    lon - r,
                    lat + r,
                    lon + r
                )
            }
            Mix::TightPrice => {
                let centre = rng.random_range(80..=200) * 100 * nights;
                format!(
                    "city={big}&{stay}&min_price={}&max_price={}",
                    centre * 95 / 100,
                    centre * 105 / 100
                )
            }
            Mix::Amenities => {
                let third = ["parking", "pool", "air_conditioning", "workspace", "tv"]
                    [rng.random_range(0..5)];
                format!("city={big}&{stay}&amenities=wifi,kitchen,{third}")
            }
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// CPU time this thread has used.
fn thread_cpu_time() -> Duration {
    let mut time = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) };
    if status != 0 {
        return Duration::ZERO;
    }
    Duration::new(time.tv_sec as u64, time.tv_nsec as u32)
}

/// The resident set size, from /proc/self/statm (Linux only).
fn resident_bytes() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = |bytes: usize| bytes as f64 / 1e6;
        let per_million = |bytes: usize| mb(bytes) * 1e6 / self.properties.max(1) as f64;
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        writeln!(
            f,
            "search bench: {} properties in {} cities (big city {}), {:.1}% of nights closed, \
             {}% with pricing documents",
            self.properties,
            self.cities,
            self.big_city,
            self.booked_share * 100.0,
            self.priced_percent
        )?;
        writeln!(f, "build: {:.2} s", self.build.as_secs_f64())?;
        writeln!(
            f,
            "memory: heap estimate {:.0} MB ({:.0} MB per million properties)",
            mb(self.heap_bytes),
            per_million(self.heap_bytes)
        )?;
        if let Some(rss) = self.rss_delta_bytes {
            writeln!(
                f,
                "        RSS growth {:.0} MB ({:.0} MB per million properties)",
                mb(rss),
                per_million(rss)
            )?;
        }
        writeln!(
            f,
            "snapshot: {:.0} MB, written in {:.2} s, restored in {:.2} s",
            mb(self.snapshot_bytes),
            self.snapshot_time.as_secs_f64(),
            self.restore_time.as_secs_f64()
        )?;
        writeln!(
            f,
            "{:<38} {:>23} {:>23} {:>6}",
            "", "wall ms", "thread CPU ms", ""
        )?;
        writeln!(
            f,
            "{:<38} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>6}",
            "query mix (one thread)", "p50", "p99", "max", "p50", "p99", "max", "hits"
        )?;
        let row =
            |f: &mut fmt::Formatter<'_>, name: &str, wall: &Latency, cpu: &Latency, hits: &str| {
                writeln!(
                    f,
                    "{:<38} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>6}",
                    name,
                    ms(wall.p50),
                    ms(wall.p99),
                    ms(wall.max),
                    ms(cpu.p50),
                    ms(cpu.p99),
                    ms(cpu.max),
                    hits
                )
            };
        for mix in &self.mixes {
            row(
                f,
                &mix.name,
                &mix.wall,
                &mix.cpu,
                &format!("{:.1}", mix.mean_hits),
            )?;
        }
        row(f, "all", &self.overall_wall, &self.overall_cpu, "")
    }
}
