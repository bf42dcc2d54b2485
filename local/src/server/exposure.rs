//! Whether `/local/*` is served. Those routes mint tokens for any user and
//! group (admins included), move the clock and inject payment faults: fine
//! for the developer on this machine, a hole for anyone else. They are served
//! only when the server listens on a loopback address, unless the operator
//! says otherwise with a flag whose name says what it does.

use std::net::IpAddr;

/// The flag that serves `/local/*` on any address.
pub const UNSAFE_FLAG: &str = "--unsafe-expose-local-endpoints";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalEndpoints {
    /// Served: the listener is loopback only, or the operator insisted.
    Served,
    /// Not served: every `/local/*` route answers 404 problem+json.
    Refused,
}

impl LocalEndpoints {
    /// The decision for a listener on `ip`. Only loopback addresses (all of
    /// 127.0.0.0/8, `::1`, and IPv4-mapped loopback) keep other machines out;
    /// the unspecified address (`0.0.0.0`, `::`) listens on every interface.
    pub fn decide(ip: IpAddr, unsafe_expose: bool) -> Self {
        if ip.to_canonical().is_loopback() || unsafe_expose {
            Self::Served
        } else {
            Self::Refused
        }
    }

    /// [`LocalEndpoints::decide`], saying so in the log when it matters.
    pub fn decide_and_log(ip: IpAddr, unsafe_expose: bool) -> Self {
        let decision = Self::decide(ip, unsafe_expose);
        let loopback = ip.to_canonical().is_loopback();
        match decision {
            Self::Served if !loopback => tracing::warn!(
                address = %ip,
                flag = UNSAFE_FLAG,
                "/local/* IS SERVED ON A NON-LOOPBACK ADDRESS: anyone who can reach it can mint admin tokens and move the clock"
            ),
            Self::Refused => tracing::warn!(
                address = %ip,
                flag = UNSAFE_FLAG,
                "listening on a non-loopback address: /local/* (tokens, clock, faults) is not served"
            ),
            Self::Served => {}
        }
        decision
    }

    pub fn served(self) -> bool {
        self == Self::Served
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn loopback_addresses_serve_the_local_endpoints() {
        for text in [
            "127.0.0.1",
            "127.1.2.3",
            "127.255.255.254",
            "::1",
            "::ffff:127.0.0.1",
        ] {
            assert_eq!(
                LocalEndpoints::decide(ip(text), false),
                LocalEndpoints::Served,
                "{text}"
            );
        }
    }

    #[test]
    fn other_addresses_refuse_them_unless_the_flag_is_given() {
        for text in [
            "0.0.0.0",
            "::",
            "10.0.0.5",
            "192.168.1.20",
            "172.16.0.1",
            "169.254.1.1",
            "203.0.113.7",
            "128.0.0.1",
            "::ffff:10.0.0.5",
            "fe80::1",
            "2001:db8::1",
        ] {
            assert_eq!(
                LocalEndpoints::decide(ip(text), false),
                LocalEndpoints::Refused,
                "{text}"
            );
            assert_eq!(
                LocalEndpoints::decide(ip(text), true),
                LocalEndpoints::Served,
                "{text} with {UNSAFE_FLAG}"
            );
        }
    }
}
