//! The petition workload's path (`bench/workload/`), shared by `benches/petition.rs` and
//! `examples/petition_path.rs` so that the timings and the instruction counts run the same.

/// The 12 transitions of one case's path, each with the role that takes it.
pub const PATH: [(&str, &str); 12] = [
    ("ACCEPT", "clerk"),
    ("ASSIGN", "supervisor"),
    ("RETURN", "officer"),
    ("REASSIGN", "supervisor"),
    ("ESCALATE", "supervisor"),
    ("ASSIGN", "supervisor"),
    ("START", "officer"),
    ("REQUEST_INFO", "officer"),
    ("SUPPLEMENT", "citizen"),
    ("REPLY", "officer"),
    ("EVALUATE", "supervisor"),
    ("CLOSE", "supervisor"),
];
