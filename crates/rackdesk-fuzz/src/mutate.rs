//! The input generator: mostly stacked mutations of a corpus entry, sometimes pure noise.

use rand::rngs::StdRng;
use rand::Rng;

/// Largest input the mutator makes (targets see bigger ones only from seeds).
pub const MAX_LEN: usize = 4_096;

/// Bytes that tend to matter to parsers.
const SPECIAL: &[u8] = &[
    0, 0xff, 0x7f, 0x80, 0xc3, 0xef, 0xbb, 0xbf, 0xfe, b'"', b'\'', b',', b';', b'\t', b'\n', b'\r', b' ', b'=', b'+',
    b'-', b'@', b':', b'%', b'/', b'\\', b'?', b'#', b'.', b'{', b'}', b'[', b']', b'0', b'9', b'a', b'Z',
];

/// The next input to try.
pub fn next_input(rng: &mut StdRng, corpus: &[Vec<u8>], dictionary: &[&[u8]]) -> Vec<u8> {
    if rng.random_ratio(1, 32) {
        let n = rng.random_range(0..256);
        return (0..n).map(|_| rng.random()).collect();
    }
    let mut v = corpus[rng.random_range(0..corpus.len())].clone();
    let rounds = 1 << rng.random_range(0..4); // 1, 2, 4 or 8 mutations
    for _ in 0..rounds {
        mutate_once(rng, &mut v, corpus, dictionary);
    }
    v.truncate(MAX_LEN);
    v
}

fn pos(rng: &mut StdRng, v: &[u8]) -> usize {
    rng.random_range(0..=v.len())
}

fn mutate_once(rng: &mut StdRng, v: &mut Vec<u8>, corpus: &[Vec<u8>], dictionary: &[&[u8]]) {
    match rng.random_range(0..11) {
        // Flip a bit.
        0 if !v.is_empty() => {
            let i = rng.random_range(0..v.len());
            v[i] ^= 1 << rng.random_range(0..8);
        }
        // Replace a byte with a random or special one.
        1 if !v.is_empty() => {
            let i = rng.random_range(0..v.len());
            v[i] = if rng.random_bool(0.5) { rng.random() } else { SPECIAL[rng.random_range(0..SPECIAL.len())] };
        }
        // Insert a special byte.
        2 => {
            let i = pos(rng, v);
            v.insert(i, SPECIAL[rng.random_range(0..SPECIAL.len())]);
        }
        // Insert a dictionary token.
        3 | 4 if !dictionary.is_empty() => {
            let i = pos(rng, v);
            let t = dictionary[rng.random_range(0..dictionary.len())];
            v.splice(i..i, t.iter().copied());
        }
        // Delete a range.
        5 if !v.is_empty() => {
            let a = rng.random_range(0..v.len());
            let b = (a + rng.random_range(1..=16.min(v.len() - a))).min(v.len());
            v.drain(a..b);
        }
        // Duplicate a range (repeated rows, cells, keys).
        6 if !v.is_empty() => {
            let a = rng.random_range(0..v.len());
            let b = (a + rng.random_range(1..=64)).min(v.len());
            let chunk: Vec<u8> = v[a..b].to_vec();
            let times = rng.random_range(1..=4);
            let at = pos(rng, v);
            for _ in 0..times {
                v.splice(at..at, chunk.iter().copied());
            }
        }
        // Splice with another corpus entry.
        7 => {
            let other = &corpus[rng.random_range(0..corpus.len())];
            let a = pos(rng, v);
            let b = rng.random_range(0..=other.len());
            v.truncate(a);
            v.extend_from_slice(&other[b..]);
        }
        // Insert a few random bytes.
        8 => {
            let i = pos(rng, v);
            let n = rng.random_range(1..=8);
            for _ in 0..n {
                v.insert(i, rng.random());
            }
        }
        // Truncate.
        9 if !v.is_empty() => {
            let n = rng.random_range(0..v.len());
            v.truncate(n);
        }
        // Swap two bytes.
        _ if v.len() > 1 => {
            let a = rng.random_range(0..v.len());
            let b = rng.random_range(0..v.len());
            v.swap(a, b);
        }
        _ => {
            let i = pos(rng, v);
            v.insert(i, rng.random());
        }
    }
}
