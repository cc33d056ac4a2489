//! Device memory: what is free, what a run may use, and sizes as people read them.

use crate::error::{Error, Result};
use cudarc::driver::CudaContext;

/// Device memory left untouched for the driver, other users and fragmentation: 256 MiB, or 2 % of
/// the device where that is more.
const HEADROOM_BYTES: u64 = 256 << 20;

/// Free and total device memory, as the driver reported them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    pub free: u64,
    pub total: u64,
}

impl Memory {
    pub(super) fn of(ctx: &CudaContext) -> Result<Self> {
        let (free, total) =
            ctx.mem_get_info().map_err(|e| Error::Internal(format!("cuMemGetInfo: {}", super::errors::describe(e))))?;
        Ok(Self { free: free as u64, total: total as u64 })
    }

    /// The bytes one run may allocate: the free memory less the headroom.
    pub fn usable(&self) -> u64 {
        self.free.saturating_sub(HEADROOM_BYTES.max(self.total / 50))
    }

    /// "device 0 has X free of Y", for resource-limit messages.
    pub fn describe(&self) -> String {
        format!("device 0 has {} free of {}", gib(self.free), gib(self.total))
    }
}

/// A byte count in GiB from 1 GiB on, in MiB below.
pub fn gib(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headroom_is_256_mib_or_two_percent() {
        let small = Memory { free: 3 << 30, total: 4 << 30 };
        assert_eq!(small.usable(), (3 << 30) - (256 << 20));
        let big = Memory { free: 70 << 30, total: 80 << 30 };
        assert_eq!(big.usable(), (70u64 << 30) - (80u64 << 30) / 50);
        assert_eq!(Memory { free: 100 << 20, total: 4 << 30 }.usable(), 0);
        assert_eq!(gib(3 << 29), "1.50 GiB");
        assert_eq!(gib(3 << 19), "1.5 MiB");
        assert_eq!(small.describe(), "device 0 has 3.00 GiB free of 4.00 GiB");
    }
}
