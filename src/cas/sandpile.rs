//! The Bak–Tang–Wiesenfeld sandpile on an L×L grid with open boundaries: a site holding 4 or
//! more grains topples, giving one grain to each lattice neighbour (grains crossing the edge are
//! lost). Grains are added one at a time at uniformly random sites; each addition's avalanche is
//! relaxed generation by generation (every site unstable at the start of a generation topples
//! once in it), which gives its size (topplings), area (distinct sites toppled) and duration
//! (generations).
//!
//! Relaxation keeps a list of the unstable sites (never sweeping the grid), heights as bytes
//! (L = 1024 is one megabyte, cache resident), and per-site stamps instead of clearing sets.

use crate::control::Control;
use crate::ensure;
use crate::error::{check_alloc, try_vec, try_with_capacity, Result};
use crate::rng::Stream;

/// The largest side accepted (2^15: a grid of one gigabyte of heights).
pub const MAX_SIDE: usize = 1 << 15;

/// Per-grain avalanche records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Avalanches {
    pub sizes: Vec<i64>,
    pub areas: Vec<i64>,
    pub durations: Vec<i64>,
}

/// A sandpile and its random stream.
#[derive(Debug, Clone)]
pub struct Sandpile {
    side: usize,
    grid: Vec<u8>,
    stream: Stream,
    grains: u64,
    queued: Vec<u32>,
    toppled: Vec<u32>,
    generation: u32,
    avalanche: u32,
}

impl Sandpile {
    /// An empty L×L pile whose grains fall where stream `Stream::new(seed, 0)` says.
    pub fn new(side: usize, seed: u64) -> Result<Self> {
        Self::from_state(side, None, Stream::new(seed, 0).state(), 0)
    }

    /// A pile from its saved state (`grid` None: empty).
    pub fn from_state(side: usize, grid: Option<Vec<u8>>, rng: [u64; 4], grains: u64) -> Result<Self> {
        ensure!((1..=MAX_SIDE).contains(&side), "L must be between 1 and {MAX_SIDE}, got {side}");
        let cells = side * side;
        check_alloc::<u32>(2 * cells as u128, "the sandpile")?;
        let grid = match grid {
            Some(g) => {
                ensure!(g.len() == cells, "a sandpile grid of {} cells for L = {side}, got {}", cells, g.len());
                ensure!(g.iter().all(|&h| h < 4), "a stable sandpile has heights 0..=3");
                g
            }
            None => try_vec(cells, 0u8, "the sandpile grid")?,
        };
        Ok(Self {
            side,
            grid,
            stream: Stream::from_state(rng),
            grains,
            queued: try_vec(cells, 0u32, "the sandpile")?,
            toppled: try_vec(cells, 0u32, "the sandpile")?,
            generation: 0,
            avalanche: 0,
        })
    }

    pub fn side(&self) -> usize {
        self.side
    }

    pub fn grid(&self) -> &[u8] {
        &self.grid
    }

    pub fn rng_state(&self) -> [u64; 4] {
        self.stream.state()
    }

    /// Put back a state taken before an interrupted drive (stamps need no restoring).
    pub fn restore(&mut self, grid: Vec<u8>, rng: [u64; 4], grains: u64) {
        self.grid = grid;
        self.stream = Stream::from_state(rng);
        self.grains = grains;
    }

    /// Grains added so far.
    pub fn grains(&self) -> u64 {
        self.grains
    }

    fn next_generation(&mut self) -> u32 {
        if self.generation == u32::MAX {
            self.queued.fill(0);
            self.generation = 0;
        }
        self.generation += 1;
        self.generation
    }

    fn next_avalanche(&mut self) -> u32 {
        if self.avalanche == u32::MAX {
            self.toppled.fill(0);
            self.avalanche = 0;
        }
        self.avalanche += 1;
        self.avalanche
    }

    /// Add `num_grains` grains, relaxing after each; Ctrl-C is looked for every few thousand
    /// grains and inside long avalanches.
    pub fn drive(&mut self, num_grains: usize, control: &Control) -> Result<Avalanches> {
        let mut out = Avalanches {
            sizes: try_with_capacity(num_grains, "avalanche sizes")?,
            areas: try_with_capacity(num_grains, "avalanche areas")?,
            durations: try_with_capacity(num_grains, "avalanche durations")?,
        };
        let side = self.side;
        let cells = (side * side) as u64;
        let mut frontier: Vec<u32> = Vec::with_capacity(256);
        let mut next: Vec<u32> = Vec::with_capacity(256);
        let mut work: u64 = 0;
        for g in 0..num_grains {
            if g % 4096 == 0 {
                control.check()?;
            }
            let site = self.stream.below(cells) as usize;
            self.grains += 1;
            self.grid[site] += 1;
            if self.grid[site] < 4 {
                out.sizes.push(0);
                out.areas.push(0);
                out.durations.push(0);
                continue;
            }
            let av = self.next_avalanche();
            let (mut size, mut area, mut duration) = (0i64, 0i64, 0i64);
            frontier.clear();
            frontier.push(site as u32);
            while !frontier.is_empty() {
                // Only sites unstable at the start of the generation topple in it.
                frontier.retain(|&s| self.grid[s as usize] >= 4);
                if frontier.is_empty() {
                    break;
                }
                duration += 1;
                let gen = self.next_generation();
                next.clear();
                for &s in &frontier {
                    let s = s as usize;
                    self.grid[s] -= 4;
                    size += 1;
                    if self.toppled[s] != av {
                        self.toppled[s] = av;
                        area += 1;
                    }
                    let (r, c) = (s / side, s % side);
                    let mut give = |t: usize, grid: &mut Vec<u8>, queued: &mut Vec<u32>| {
                        grid[t] += 1;
                        if grid[t] >= 4 && queued[t] != gen {
                            queued[t] = gen;
                            next.push(t as u32);
                        }
                    };
                    if r > 0 {
                        give(s - side, &mut self.grid, &mut self.queued);
                    }
                    if r + 1 < side {
                        give(s + side, &mut self.grid, &mut self.queued);
                    }
                    if c > 0 {
                        give(s - 1, &mut self.grid, &mut self.queued);
                    }
                    if c + 1 < side {
                        give(s + 1, &mut self.grid, &mut self.queued);
                    }
                    if self.grid[s] >= 4 && self.queued[s] != gen {
                        self.queued[s] = gen;
                        next.push(s as u32);
                    }
                }
                work += frontier.len() as u64;
                if work > 1 << 22 {
                    work = 0;
                    control.check()?;
                }
                std::mem::swap(&mut frontier, &mut next);
            }
            out.sizes.push(size);
            out.areas.push(area);
            out.durations.push(duration);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_site_and_conservation() {
        // L = 1: every 4th grain topples once and all four grains leave.
        let mut p = Sandpile::new(1, 1).unwrap();
        let a = p.drive(8, &Control::new()).unwrap();
        assert_eq!(a.sizes, vec![0, 0, 0, 1, 0, 0, 0, 1]);
        assert_eq!(a.durations, vec![0, 0, 0, 1, 0, 0, 0, 1]);
        // Grains are conserved except at the edge: after relaxing, all heights < 4.
        let mut p = Sandpile::new(16, 7).unwrap();
        let a = p.drive(5000, &Control::new()).unwrap();
        assert!(p.grid().iter().all(|&h| h < 4));
        assert!(a.areas.iter().zip(&a.sizes).all(|(ar, s)| ar <= s));
        assert!(a.durations.iter().zip(&a.areas).all(|(d, ar)| d <= ar));
        // Same seed, same avalanches; split drives equal one drive.
        let mut q = Sandpile::new(16, 7).unwrap();
        let mut b = q.drive(2000, &Control::new()).unwrap();
        let c = q.drive(3000, &Control::new()).unwrap();
        b.sizes.extend(c.sizes);
        assert_eq!(a.sizes, b.sizes);
        assert_eq!(p.grid(), q.grid());
    }

    #[test]
    fn full_grid_avalanche() {
        // All heights 3 on a 3×3 grid: any grain topples every site, and the corner grain's
        // avalanche takes several generations.
        let mut q = Sandpile::from_state(3, Some(vec![3; 9]), [1, 2, 3, 4], 0).unwrap();
        let a = q.drive(1, &Control::new()).unwrap();
        assert_eq!(a.areas[0], 9);
        assert!(a.sizes[0] >= 9 && a.durations[0] >= 2);
        assert!(q.grid().iter().all(|&h| h < 4));
    }
}
