//! A small deterministic generator (xorshift64*): the demo must not depend on a crate's RNG
//! algorithm staying the same.

pub(super) struct Rng(u64);

impl Rng {
    /// The demo's fixed seed.
    pub fn demo() -> Rng {
        Rng(0x6b6e_6f63_6b21_2023)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn chance(&mut self, percent: f64) -> bool {
        (self.below(10_000) as f64) < percent * 100.0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        // Version 4 / variant bits set so the ids look like any device's.
        let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }

    pub fn phone(&mut self) -> String {
        format!(
            "1{}{:09}",
            self.pick(&[3, 5, 7, 8, 9]),
            self.below(1_000_000_000)
        )
    }
}
