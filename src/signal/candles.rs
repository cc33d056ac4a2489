//! (filled by its part)
