//! `paging`: reserved. A pure function for the next page's offset is being added to the
//! core by someone else; its harness goes here (`run` + `seeds`, then `run: Some(run)`).

use crate::Target;

pub const TARGET: Target = Target {
    name: "paging",
    about: "reserved: the next-offset function of paged listings (not written yet)",
    run: None,
    seeds: Vec::new,
    dictionary: &[],
};
