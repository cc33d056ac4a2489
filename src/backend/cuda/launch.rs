//! Launch helpers: grid shapes, kernel-argument conversions, shared-memory opt-in.

use super::errors::describe;
use crate::error::{Error, Result};
use cudarc::driver::sys::CUfunction_attribute;
use cudarc::driver::{CudaFunction, LaunchConfig};

/// The largest grid in x, and in y and z.
pub const MAX_GRID_X: usize = (1 << 31) - 1;
pub const MAX_GRID_Y: usize = 65_535;
/// Dynamic shared memory every device grants a block without opting in.
const DEFAULT_SHARED_BYTES: usize = 48 * 1024;

/// One thread per element: `count` elements (at most `block` × [`MAX_GRID_X`]) in blocks of
/// `block` threads, at least one block.
pub fn grid_1d(count: usize, block: u32) -> LaunchConfig {
    let blocks = count.div_ceil(block as usize).clamp(1, MAX_GRID_X);
    debug_assert!(blocks * block as usize >= count, "{count} elements do not fit one grid of {block}-thread blocks");
    LaunchConfig { grid_dim: (blocks as u32, 1, 1), block_dim: (block, 1, 1), shared_mem_bytes: 0 }
}

/// Allows `func` `bytes` of dynamic shared memory per block (needed above the default 48 KiB; the
/// caller checks `bytes` against [`super::Device::max_shared_bytes`]).
pub fn allow_shared(func: &CudaFunction, bytes: usize) -> Result<()> {
    if bytes <= DEFAULT_SHARED_BYTES {
        return Ok(());
    }
    let value = i32::try_from(bytes).map_err(|_| Error::Internal(format!("{bytes} B of shared memory")))?;
    func.set_attribute(CUfunction_attribute::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, value)
        .map_err(|e| Error::Internal(format!("cannot raise the shared-memory limit to {bytes} B: {}", describe(e))))
}

/// A count as a kernel's 32-bit argument; `what` names it in the `ResourceLimit` error.
pub fn to_u32(x: usize, what: &str) -> Result<u32> {
    u32::try_from(x)
        .map_err(|_| Error::ResourceLimit(format!("the CUDA backend supports {what} up to 2^32 - 1, got {x}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_cover_every_element_once() {
        let cfg = grid_1d(1000, 256);
        assert_eq!((cfg.grid_dim, cfg.block_dim, cfg.shared_mem_bytes), ((4, 1, 1), (256, 1, 1), 0));
        assert_eq!(grid_1d(1024, 256).grid_dim.0, 4);
        assert_eq!(grid_1d(0, 256).grid_dim.0, 1);
        assert_eq!(grid_1d(1, 32).grid_dim.0, 1);
    }

    #[test]
    fn counts_beyond_u32_are_resource_limits() {
        assert_eq!(to_u32(7, "reads"), Ok(7));
        let err = to_u32(1 << 32, "num_reads").unwrap_err();
        assert!(matches!(&err, Error::ResourceLimit(m) if m.contains("num_reads")), "{err:?}");
    }
}
