//! Which addresses a feed may be fetched from. A feed's URL is typed by a
//! user, so fetching it could reach what only the platform should reach (in
//! AWS, 169.254.169.254 hands out credentials). Only globally reachable
//! unicast addresses pass: the special-purpose ranges of the IANA IPv4 and
//! IPv6 Special-Purpose Address Registries (RFC 6890) that are not global are
//! refused, and so are multicast and the IPv6 forms that embed an IPv4
//! address (mapped, compatible, NAT64), judged by the address they embed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use ipnet::{Ipv4Net, Ipv6Net};

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("it is the unspecified address")]
    Unspecified,
    #[error("it is a loopback address")]
    Loopback,
    #[error("it is a private address")]
    Private,
    #[error("it is a link-local address")]
    LinkLocal,
    #[error("it is a unique-local address")]
    UniqueLocal,
    #[error("it is a multicast or broadcast address")]
    Multicast,
    #[error("it is reserved for special use")]
    Reserved,
}

/// The non-global IPv4 ranges beyond those std names (RFC 6890 table, plus
/// RFC 6598 shared space and RFC 2544 benchmarking).
static IPV4_RESERVED: LazyLock<Vec<Ipv4Net>> = LazyLock::new(|| {
    [
        "0.0.0.0/8",       // "this network" (RFC 791)
        "100.64.0.0/10",   // shared address space, carrier-grade NAT (RFC 6598)
        "192.0.0.0/24",    // IETF protocol assignments (RFC 6890)
        "192.0.2.0/24",    // TEST-NET-1 (RFC 5737)
        "198.18.0.0/15",   // benchmarking (RFC 2544)
        "198.51.100.0/24", // TEST-NET-2 (RFC 5737)
        "203.0.113.0/24",  // TEST-NET-3 (RFC 5737)
        "240.0.0.0/4",     // reserved (RFC 1112)
    ]
    .iter()
    .map(|net| net.parse().expect("a constant network"))
    .collect()
});

static IPV6_RESERVED: LazyLock<Vec<Ipv6Net>> = LazyLock::new(|| {
    [
        "100::/64",      // discard-only (RFC 6666)
        "2001:db8::/32", // documentation (RFC 3849)
        "2001::/23",     // IETF protocol assignments (RFC 2928)
        "fec0::/10",     // site-local, deprecated (RFC 3879)
    ]
    .iter()
    .map(|net| net.parse().expect("a constant network"))
    .collect()
});

static NAT64: LazyLock<Ipv6Net> =
    LazyLock::new(|| "64:ff9b::/96".parse().expect("a constant network"));

/// Whether a feed may be fetched from `address`.
pub fn check(address: IpAddr) -> Result<(), Refused> {
    match address {
        IpAddr::V4(v4) => check_v4(v4),
        IpAddr::V6(v6) => check_v6(v6),
    }
}

fn check_v4(address: Ipv4Addr) -> Result<(), Refused> {
    if address.is_unspecified() {
        Err(Refused::Unspecified)
    } else if address.is_loopback() {
        Err(Refused::Loopback)
    } else if address.is_private() {
        Err(Refused::Private)
    } else if address.is_link_local() {
        Err(Refused::LinkLocal)
    } else if address.is_multicast() || address.is_broadcast() {
        Err(Refused::Multicast)
    } else if IPV4_RESERVED.iter().any(|net| net.contains(&address)) {
        Err(Refused::Reserved)
    } else {
        Ok(())
    }
}

fn check_v6(address: Ipv6Addr) -> Result<(), Refused> {
    if let Some(v4) = embedded_v4(address) {
        return check_v4(v4);
    }
    if address.is_unspecified() {
        Err(Refused::Unspecified)
    } else if address.is_loopback() {
        Err(Refused::Loopback)
    } else if address.is_unicast_link_local() {
        Err(Refused::LinkLocal)
    } else if address.is_unique_local() {
        Err(Refused::UniqueLocal)
    } else if address.is_multicast() {
        Err(Refused::Multicast)
    } else if IPV6_RESERVED.iter().any(|net| net.contains(&address)) {
        Err(Refused::Reserved)
    } else {
        Ok(())
    }
}

/// The IPv4 address an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d),
/// IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::a.b.c.d).
fn embedded_v4(address: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = address.to_ipv4_mapped() {
        return Some(v4);
    }
    let segments = address.segments();
    let tail = || Ipv4Addr::from(address.to_bits() as u32);
    if segments[..6] == [0; 6] && !address.is_loopback() && !address.is_unspecified() {
        return Some(tail());
    }
    NAT64.contains(&address).then(tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(text: &str) -> Result<(), Refused> {
        check(text.parse().expect("an address"))
    }

    #[test]
    fn global_unicast_addresses_pass() {
        for address in [
            "93.184.215.14",
            "8.8.8.8",
            "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
            "2a00:1450:4001::200e",
        ] {
            assert_eq!(verdict(address), Ok(()), "{address}");
        }
    }

    #[test]
    fn every_non_global_range_is_refused_with_its_reason() {
        use Refused::*;
        let cases = [
            ("0.0.0.0", Unspecified),
            ("127.0.0.1", Loopback),
            ("127.255.0.9", Loopback),
            ("10.1.2.3", Private),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("192.168.1.1", Private),
            ("169.254.169.254", LinkLocal),
            ("224.0.0.1", Multicast),
            ("255.255.255.255", Multicast),
            ("0.1.2.3", Reserved),
            ("100.64.0.1", Reserved),
            ("192.0.0.170", Reserved),
            ("198.18.0.1", Reserved),
            ("203.0.113.7", Reserved),
            ("240.0.0.1", Reserved),
            ("::", Unspecified),
            ("::1", Loopback),
            ("fe80::1", LinkLocal),
            ("fc00::1", UniqueLocal),
            ("fd12:3456::1", UniqueLocal),
            ("ff02::1", Multicast),
            ("2001:db8::1", Reserved),
            ("fec0::1", Reserved),
            // IPv6 forms of IPv4 addresses are judged by the IPv4 address.
            ("::ffff:127.0.0.1", Loopback),
            ("::ffff:169.254.169.254", LinkLocal),
            ("::10.0.0.1", Private),
            ("64:ff9b::a9fe:a9fe", LinkLocal),
        ];
        for (address, reason) in cases {
            assert_eq!(verdict(address), Err(reason), "{address}");
        }
    }

    #[test]
    fn a_mapped_global_address_passes() {
        assert_eq!(verdict("::ffff:8.8.8.8"), Ok(()));
        assert_eq!(verdict("64:ff9b::808:808"), Ok(()));
    }
}
